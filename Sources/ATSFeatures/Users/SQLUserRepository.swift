import ATSDomain
import ATSPersistence
import ATSSupport

/// Users in portable SQL (both engines).
public struct SQLUserRepository: UserRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    /// Every column of a user, in the order `user(_:)` decodes them.
    public static let userColumns = "tenant_id, id, email, password_hash, full_name, role, is_active, created_at, "
        + "phone, location, links, tags, source, updated_at, session_epoch, last_active_at, anonymized_at"

    /// Decodes a row of `userColumns` (from `offset`, for joins).
    public static func user(_ row: SQLRow) throws(SQLError) -> User {
        guard let role = Role(rawValue: try row.text(5)) else { throw .decoding("unknown role") }
        let profile = User.Profile(phone: try row.optionalText(8), location: try row.optionalText(9), links: try stringList(row.text(10)),
                                   tags: try stringList(row.text(11)), source: try row.optionalText(12))
        return User(id: UserID(try row.int(1)), tenantID: TenantID(try row.int(0)), email: try row.text(2), passwordHash: try row.text(3),
                    fullName: try row.optionalText(4), role: role, isActive: try row.bool(6), createdAt: try row.timestamp(7),
                    profile: profile, updatedAt: try row.timestamp(13), sessionEpoch: try row.int(14), lastActiveAt: try row.optionalTimestamp(15),
                    anonymizedAt: try row.optionalTimestamp(16))
    }

    /// A JSON array of strings (the `links` and `tags` columns).
    static func stringList(_ text: String) throws(SQLError) -> [String] {
        if text == "[]" { return [] }  // most users: no JSON parse on every authenticated request
        guard case .array(let items)? = try? JSONParser.parse(Array(text.utf8)) else { throw .decoding("not a JSON array") }
        var strings: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw .decoding("not a string") }
            strings.append(s)
        }
        return strings
    }

    static func stringListText(_ list: [String]) -> String { JSONValue.array(list.map(JSONValue.string)).text }

    public func create(_ tenant: TenantID, _ user: NewUser) throws -> User {
        try tx.run(unique: .duplicateEmail) { () throws(SQLError) -> User in
            let now = tx.now()
            let id = try tx.insert(into: "users", [
                ("tenant_id", .int(tenant.rawValue)), ("email", .text(user.email)), ("password_hash", .text(user.passwordHash)),
                ("full_name", .optional(user.fullName)), ("role", .text(user.role.rawValue)), ("is_active", .bool(true)), ("created_at", .timestamp(now)),
                ("phone", .optional(user.profile.phone)), ("location", .optional(user.profile.location)),
                ("links", .text(Self.stringListText(user.profile.links))), ("tags", .text(Self.stringListText(user.profile.tags))),
                ("source", .optional(user.profile.source)), ("updated_at", .timestamp(now)),
            ])
            return User(id: UserID(id), tenantID: tenant, email: user.email, passwordHash: user.passwordHash, fullName: user.fullName,
                        role: user.role, isActive: true, createdAt: now, profile: user.profile, updatedAt: now)
        }
    }

    public func find(_ tenant: TenantID, id: UserID) throws -> User? {
        try tx.run { () throws(SQLError) -> User? in
            try tx.connection.queryOne("SELECT \(Self.userColumns) FROM users WHERE tenant_id = $1 AND id = $2",
                                    [.int(tenant.rawValue), .int(id.rawValue)]).map(Self.user)
        }
    }

    public func find(_ tenant: TenantID, email: String) throws -> User? {
        try tx.run { () throws(SQLError) -> User? in
            try tx.connection.queryOne("SELECT \(Self.userColumns) FROM users WHERE tenant_id = $1 AND email = $2",
                                    [.int(tenant.rawValue), .text(email)]).map(Self.user)
        }
    }

    public func list(_ tenant: TenantID, filter: UserFilter, page: Page) throws -> PageResult<User> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let role = filter.role { condition.append(" AND role = \(condition.bind(.text(role.rawValue)))") }
        if let q = filter.q {
            let p = condition.bind(.text(SQLStatement.containsPattern(q)))
            condition.append(" AND (lower(email) LIKE lower(CAST(\(p) AS TEXT)) ESCAPE '\\' OR lower(coalesce(full_name, '')) LIKE lower(CAST(\(p) AS TEXT)) ESCAPE '\\')")
        }
        return try tx.page("users", columns: Self.userColumns, where: condition, orderBy: "id", page: page, decode: Self.user)
    }

    public func update(_ tenant: TenantID, id: UserID, _ changes: UserChanges) throws -> User {
        var statement = SQLStatement("UPDATE users SET ")
        var sets: [String] = []
        if let role = changes.role { sets.append("role = \(statement.bind(.text(role.rawValue)))") }
        if let active = changes.isActive { sets.append("is_active = \(statement.bind(.bool(active)))") }
        if let name = changes.fullName { sets.append("full_name = \(statement.bind(.optional(name)))") }
        if let phone = changes.phone { sets.append("phone = \(statement.bind(.optional(phone)))") }
        if let location = changes.location { sets.append("location = \(statement.bind(.optional(location)))") }
        if let links = changes.links { sets.append("links = \(statement.bind(.text(Self.stringListText(links))))") }
        if let tags = changes.tags { sets.append("tags = \(statement.bind(.text(Self.stringListText(tags))))") }
        if let source = changes.source { sets.append("source = \(statement.bind(.optional(source)))") }
        guard !sets.isEmpty else {
            guard let user = try find(tenant, id: id) else { throw StorageError.notFound }
            return user
        }
        sets.append("updated_at = \(statement.bind(.timestamp(tx.now())))")
        statement.append(sets.joined(separator: ", "))
        statement.append(" WHERE tenant_id = \(statement.bind(.int(tenant.rawValue))) AND id = \(statement.bind(.int(id.rawValue)))")
        statement.append(" RETURNING \(Self.userColumns)")
        let row = try tx.run { () throws(SQLError) -> SQLRow? in try tx.connection.queryOne(statement.sql, statement.parameters) }
        guard let row else { throw StorageError.notFound }
        return try tx.run { () throws(SQLError) -> User in try Self.user(row) }
    }

    public func countActiveAdmins(_ tenant: TenantID) throws -> Int {
        try tx.run { () throws(SQLError) -> Int in
            // PostgreSQL: lock the rows, so two concurrent demotions cannot both see two
            // admins and leave none (SQLite's single writer serializes them already).
            let lock = tx.connection.dialect == .postgres ? " FOR UPDATE" : ""
            return try tx.connection.query("SELECT id FROM users WHERE tenant_id = $1 AND role = 'admin' AND is_active = $2" + lock,
                                        [.int(tenant.rawValue), .bool(true)]).count
        }
    }

    public func anonymize(_ tenant: TenantID, id: UserID) throws -> User {
        let now = tx.now()
        let row = try tx.run { () throws(SQLError) -> SQLRow? in
            try tx.connection.queryOne("""
                UPDATE users SET email = $3, full_name = NULL, phone = NULL, location = NULL, links = '[]', tags = '[]',
                    password_hash = '', is_active = $4, session_epoch = session_epoch + 1, anonymized_at = $5, updated_at = $5
                WHERE tenant_id = $1 AND id = $2 RETURNING \(Self.userColumns)
                """, [.int(tenant.rawValue), .int(id.rawValue), .text("anonymized-\(id.rawValue)@invalid"), .bool(false), .timestamp(now)])
        }
        guard let row else { throw StorageError.notFound }
        return try tx.run { () throws(SQLError) -> User in try Self.user(row) }
    }

    public func setPassword(_ tenant: TenantID, id: UserID, passwordHash: String) throws {
        let changed = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("UPDATE users SET password_hash = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
                                      [.int(tenant.rawValue), .int(id.rawValue), .text(passwordHash), .timestamp(tx.now())])
        }
        guard changed == 1 else { throw StorageError.notFound }
    }

    public func endSessions(_ tenant: TenantID, id: UserID) throws -> Int64 {
        let row = try tx.run { () throws(SQLError) -> SQLRow? in
            try tx.connection.queryOne("UPDATE users SET session_epoch = session_epoch + 1 WHERE tenant_id = $1 AND id = $2 RETURNING session_epoch",
                                       [.int(tenant.rawValue), .int(id.rawValue)])
        }
        guard let row else { throw StorageError.notFound }
        return try tx.run { () throws(SQLError) -> Int64 in try row.int(0) }
    }

    public func touch(_ tenant: TenantID, id: UserID, at time: Timestamp) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("UPDATE users SET last_active_at = $3 WHERE tenant_id = $1 AND id = $2",
                                      [.int(tenant.rawValue), .int(id.rawValue), .timestamp(time)])
        }
    }
}
