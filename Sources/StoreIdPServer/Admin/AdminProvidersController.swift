import Vapor

struct AdminProvidersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {}
}
