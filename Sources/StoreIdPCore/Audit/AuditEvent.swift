import Foundation

/// One row of the audit trail: an issued assertion or token, a login, a refusal, an admin change.
/// It names what happened and to whom, never a secret or a whole token or assertion
/// (`subjectID` is an assertion ID, a `jti` or a request ID).
public struct AuditEvent: Sendable, Hashable {
    /// What happened. The raw value is what the `audit_events.kind` column holds.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case samlResponse = "saml.response"
        case samlErrorResponse = "saml.error_response"
        case samlLogout = "saml.logout"
        case samlLogoutResponseRejected = "saml.logout_response_rejected"
        case logout
        case login
        case loginFailed = "login.failed"
        case launchCreated = "launch.created"
        case launchUpdated = "launch.updated"
        case launchUnchanged = "launch.unchanged"
        case launchRefused = "launch.refused"
        case jwtIssued = "jwt.issued"
        case bigCommerceLogin = "bigcommerce.login"
        case oidcCodeIssued = "oidc.code_issued"
        case oidcTokensIssued = "oidc.tokens_issued"
        case oidcTokensRefreshed = "oidc.tokens_refreshed"
        case oidcGrantRevoked = "oidc.grant_revoked"
        case oidcError = "oidc.error"
        case oidcLogout = "oidc.logout"
        case bigCommerceCustomerCreated = "bigcommerce.customer_created"
        case bigCommerceAPIError = "bigcommerce.api_error"
        case providerCreated = "provider.created"
        case providerUpdated = "provider.updated"
        case providerRemoved = "provider.removed"
        case storefrontApplied = "storefront.applied"
        case adminAccountSaved = "admin.account_saved"
        case adminLogin = "admin.login"
        case adminLoginFailed = "admin.login_failed"
        case adminTokenCreated = "admin.token_created"
        case customerSaved = "customer.saved"
        case customersImported = "customers.imported"
        case keysRotated = "keys.rotated"
        case keysImported = "keys.imported"
    }

    public var kind: Kind
    public var at: Date
    public var serviceProvider: String?
    public var customerID: UUID?
    public var subjectID: String?
    public var clientAddress: String?
    public var detail: String?

    public init(_ kind: Kind, at: Date, serviceProvider: String? = nil, customerID: UUID? = nil, subjectID: String? = nil,
                clientAddress: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.at = at
        self.serviceProvider = serviceProvider
        self.customerID = customerID
        self.subjectID = subjectID
        self.clientAddress = clientAddress
        self.detail = detail
    }
}
