/// Which fields of a customer an update changed, by their import names, for audit rows: names
/// only, never values (a value may be personal data; the password is only ever `password`).
extension Customer {
    public func fieldsChanged(from before: Customer) -> [String] {
        var names: [String] = []
        if email != before.email { names.append("email") }
        if passwordHash != before.passwordHash { names.append("password") }
        if firstName != before.firstName { names.append("first_name") }
        if lastName != before.lastName { names.append("last_name") }
        if phone != before.phone { names.append("phone") }
        if group != before.group { names.append("group") }
        if segments != before.segments { names.append("segments") }
        if company != before.company { names.append("company") }
        if attributes != before.attributes { names.append("attributes") }
        if storefrontID != before.storefrontID { names.append("storefront_id") }
        if status != before.status { names.append("status") }
        return names
    }
}
