import Vapor

struct AdminAuditController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {}
}
