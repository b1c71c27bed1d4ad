import Vapor

struct AdminCustomersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {}
}
