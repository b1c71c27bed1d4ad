import Vapor

struct AdminKeysController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {}
}
