/// How the columns of a customer CSV map onto `CustomerProfile`.
///
/// Accepts StoreIdP's own field names and the columns of Magento 2's customer export
/// (System › Data Transfer › Export, entity "Customers Main File":
/// `email,_website,_store,confirmation,created_at,created_in,disable_auto_group_change,dob,firstname,gender,group_id,lastname,middlename,password_hash,prefix,rp_token,rp_token_created_at,store_id,suffix,taxvat,website_id,password`).
/// Columns that are neither become custom attributes, except those that hold secrets or
/// one-time state (reset tokens, lockout counters), which are dropped.
public struct CustomerCSVHeader: Sendable {
    enum Target: Sendable, Equatable {
        case email, password, passwordHash, firstName, lastName, phone, group, segments
        case companyName, companyVAT, companyRole, storefrontID, status
        case attribute(String)
        case ignored
    }

    /// Separator of several segments in one CSV cell.
    public static let segmentSeparator: Character = "|"

    static let known: [String: Target] = [
        "email": .email,
        "password": .password,
        "password_hash": .passwordHash,
        "first_name": .firstName, "firstname": .firstName,
        "last_name": .lastName, "lastname": .lastName,
        "phone": .phone, "telephone": .phone,
        "group": .group, "group_id": .group,
        "segments": .segments,
        "company": .companyName, "company_name": .companyName,
        "company_vat": .companyVAT, "taxvat": .companyVAT,
        "company_role": .companyRole,
        "storefront_id": .storefrontID, "entity_id": .storefrontID,
        "status": .status,
        "_website": .attribute("website"), "_store": .attribute("store"),
        // Secrets and per-installation state never become attributes sent to partners.
        "rp_token": .ignored, "rp_token_created_at": .ignored, "confirmation": .ignored,
        "lock_expires": .ignored, "failures_num": .ignored, "first_failure": .ignored,
        "updated_at": .ignored, "disable_auto_group_change": .ignored,
    ]

    let targets: [Target]

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case noEmailColumn
        case duplicateColumn(String)
        public var description: String {
            switch self {
            case .noEmailColumn: return "the header row has no 'email' column"
            case let .duplicateColumn(name): return "the header row names '\(name.displaySafePrefix)' twice"
            }
        }
    }

    public init(_ names: [String]) throws(Problem) {
        var seen = Set<String>()
        var targets: [Target] = []
        for raw in names {
            let name = raw.trimmingWhitespace().lowercased()
            guard seen.insert(name).inserted else { throw .duplicateColumn(name) }
            if let target = Self.known[name] {
                targets.append(target)
            } else if name.hasPrefix("attributes.") || name.hasPrefix("attribute.") {
                targets.append(.attribute(String(name[name.index(after: name.firstIndex(of: ".")!)...])))
            } else if name.isEmpty {
                targets.append(.ignored)
            } else {
                targets.append(.attribute(name))
            }
        }
        guard targets.contains(.email) else { throw .noEmailColumn }
        self.targets = targets
    }

    /// One data row as a profile.
    public func profile(from fields: [String]) throws(CustomerValidationError) -> CustomerProfile {
        var profile = CustomerProfile(email: "")
        for (index, target) in targets.enumerated() {
            let value = index < fields.count ? fields[index] : ""
            switch target {
            case .email: profile.email = value
            case .password: if !value.isEmpty { profile.password = .plain(value) }
            case .passwordHash: if !value.isEmpty { profile.password = .hash(try StoredPasswordHash(parsing: value)) }
            case .firstName: profile.firstName = value
            case .lastName: profile.lastName = value
            case .phone: profile.phone = value
            case .group: profile.group = value
            case .segments:
                profile.segments = value.split(separator: Self.segmentSeparator).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            case .companyName: profile.companyName = value
            case .companyVAT: profile.companyVAT = value
            case .companyRole: profile.companyRole = value
            case .storefrontID: profile.storefrontID = value
            case .status:
                if !value.isEmpty {
                    guard let status = Customer.Status(rawValue: value.lowercased()) else { throw .invalidStatus(value.displaySafePrefix) }
                    profile.status = status
                }
            case let .attribute(name): profile.attributes[name] = value
            case .ignored: break
            }
        }
        return profile
    }
}
