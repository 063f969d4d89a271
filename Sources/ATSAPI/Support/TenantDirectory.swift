import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence
import Synchronization

/// Finds the tenant of a request: `X-Tenant`, else `<slug>.<ATS_BASE_DOMAIN>` in `Host`,
/// else the default tenant. Tenants change rarely and every request needs one, so
/// lookups are cached for a few seconds (a tenant created with the CLI, or renamed or
/// reconfigured through another replica, is visible to a running server within `ttl`;
/// a change made through this one is visible from its next request: `invalidate`).
final class TenantDirectory: Sendable {
    private struct Entry {
        let tenant: Tenant?
        let fetchedAt: Double
    }

    private struct Cache {
        var entries: [String: Entry] = [:]
        /// Bumped by `invalidate`: a lookup that read the database before an invalidation
        /// must not store what it read (it may predate the change).
        var generation = 0
    }

    private let database: any Database
    private let defaultSlug: String
    private let baseDomain: String?
    private let cache = Mutex(Cache())
    let ttl = 5.0

    init(database: any Database, defaultSlug: String, baseDomain: String?) {
        self.database = database
        self.defaultSlug = defaultSlug
        self.baseDomain = baseDomain.map { $0.lowercased() }
    }

    /// The slug the request names (not yet checked to exist). A present `X-Tenant` names
    /// the tenant even when empty (an invalid slug, so 404), never the default one.
    func slug(for request: HTTPRequest) -> String {
        if let header = request.headers["X-Tenant"] { return header.trimming(" \t").lowercased() }
        if let baseDomain, var host = request.headers["Host"]?.lowercased() {
            if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = String(host[..<colon]) }
            let suffix = "." + baseDomain
            if host.hasSuffix(suffix) {
                let slug = String(host.dropLast(suffix.count))
                if !slug.isEmpty && !slug.contains(".") { return slug }
            }
        }
        return defaultSlug
    }

    /// The request's tenant; 404 when it names none that exists.
    func tenant(for request: HTTPRequest) throws -> Tenant {
        let slug = slug(for: request)
        guard Tenant.isValidSlug(slug) else { throw APIError.notFound("No such tenant.") }
        let now = MonotonicClock.seconds()
        let (cached, generation) = cache.withLock { ($0.entries[slug], $0.generation) }
        if let entry = cached, now - entry.fetchedAt < ttl {
            guard let tenant = entry.tenant else { throw APIError.notFound("No such tenant.") }
            return tenant
        }
        let tenant = try database.read(tenant: nil) { try $0.tenants.find(slug: slug) }
        cache.withLock { cache in
            guard cache.generation == generation else { return }
            if cache.entries.count > 10_000 { cache.entries.removeAll() }  // unknown slugs must not grow it without bound
            cache.entries[slug] = Entry(tenant: tenant, fetchedAt: now)
        }
        guard let tenant else { throw APIError.notFound("No such tenant.") }
        return tenant
    }

    /// Forgets `slug` after its tenant changed (call it once the change committed), so
    /// this replica's next request reads the new row.
    func invalidate(slug: String) {
        cache.withLock { cache in
            cache.entries[slug] = nil
            cache.generation &+= 1
        }
    }
}
