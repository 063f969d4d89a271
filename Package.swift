// swift-tools-version: 6.0
import PackageDescription

// Every target of ours shares these settings: Swift 6 mode (complete concurrency
// checking) plus the upcoming features that keep imports and existentials explicit.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "ats",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ats", targets: ["ats"]),
    ],
    // Fixed by the product's owner: no Swift package dependencies.
    dependencies: [],
    targets: [
        // C libraries from Debian, through pkg-config.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // TLS for SMTP (STARTTLS, smtps); libpq links libssl already.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // epoll, eventfd, timerfd, accept4: Glibc's Swift module does not export them.
        .target(name: "CLinux"),

        // Leaf: JSON, text, time and clocks, ids, threads, metrics, logging. Depends on
        // nothing of ours, so the HTTP layer and everything else share one copy of each.
        .target(name: "ATSSupport", dependencies: ["CLinux"], swiftSettings: swiftSettings),
        // Entities, roles, stages, validation, domain events: no I/O.
        .target(name: "ATSDomain", dependencies: ["ATSSupport"], swiftSettings: swiftSettings),
        // The settings of `ats` (environment + .env), parsed purely.
        .target(name: "ATSConfiguration", dependencies: ["ATSSupport", "ATSDomain"], swiftSettings: swiftSettings),
        .target(name: "ATSHTTP", dependencies: ["CLinux", "ATSSupport"], swiftSettings: swiftSettings),
        .target(name: "ATSAuth", dependencies: ["ATSSupport", "ATSDomain", "CSodium"], swiftSettings: swiftSettings),
        // SQLDatabase (transactions, savepoints, retry), dialects, migrations, TenantData.
        .target(name: "ATSPersistence", dependencies: ["ATSSupport", "ATSDomain", "CSodium"], swiftSettings: swiftSettings),
        .target(name: "ATSSQLite", dependencies: ["ATSSupport", "ATSDomain", "ATSPersistence", "CSQLite3"], swiftSettings: swiftSettings),
        .target(name: "ATSPostgres", dependencies: ["ATSSupport", "ATSDomain", "ATSPersistence", "CLibPQ"], swiftSettings: swiftSettings),
        // Client sockets with timeouts and TLS (SMTP, Redis), the HTTP client of webhooks
        // (with its SSRF checks).
        .target(name: "ATSNet", dependencies: ["ATSSupport", "COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "ATSRedis", dependencies: ["ATSSupport", "ATSNet"], swiftSettings: swiftSettings),
        // One folder per feature: repository protocol, SQL repository, service, events.
        .target(name: "ATSFeatures", dependencies: ["ATSSupport", "ATSDomain", "ATSPersistence", "ATSAuth", "ATSNet"], swiftSettings: swiftSettings),
        .target(name: "ATSNotify", dependencies: ["ATSSupport", "ATSDomain", "ATSNet"], swiftSettings: swiftSettings),
        // The event outbox: embedded dispatcher, Redis relay and consumers, channels.
        .target(name: "ATSOutbox", dependencies: ["ATSSupport", "ATSDomain", "ATSPersistence", "ATSFeatures", "ATSNotify", "ATSNet", "ATSRedis", "ATSAuth"], swiftSettings: swiftSettings),
        .target(name: "ATSAPI", dependencies: ["ATSSupport", "ATSDomain", "ATSHTTP", "ATSAuth", "ATSPersistence", "ATSFeatures"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "ats",
            dependencies: ["ATSSupport", "ATSDomain", "ATSConfiguration", "ATSHTTP", "ATSAPI", "ATSAuth", "ATSPersistence",
                           "ATSSQLite", "ATSPostgres", "ATSNotify", "ATSOutbox", "ATSRedis", "ATSNet"],
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: databases for both backends, a raw HTTP client.
        .target(name: "ATSTestSupport", dependencies: ["ATSSupport", "ATSDomain", "ATSPersistence", "ATSFeatures", "ATSSQLite", "ATSPostgres"], swiftSettings: swiftSettings),
        // scripts/bench's data-layer run (not shipped).
        .executableTarget(name: "ats-storage-bench", dependencies: ["ATSSupport", "ATSDomain", "ATSPersistence", "ATSFeatures", "ATSSQLite", "ATSPostgres"], swiftSettings: swiftSettings),

        .testTarget(name: "ATSDomainTests", dependencies: ["ATSDomain", "ATSSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSConfigurationTests", dependencies: ["ATSConfiguration", "ATSSupport", "ATSDomain"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSHTTPTests", dependencies: ["ATSHTTP", "ATSSupport", "CLinux", "ATSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSNotifyTests", dependencies: ["ATSNotify", "ATSOutbox", "ATSRedis", "ATSSupport", "ATSDomain", "ATSPersistence", "ATSFeatures", "ATSTestSupport", "ATSNet"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSRedisTests", dependencies: ["ATSRedis", "ATSOutbox", "ATSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSAuthTests", dependencies: ["ATSAuth", "ATSSupport", "ATSDomain"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSSQLiteTests", dependencies: ["ATSSQLite"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSPostgresTests", dependencies: ["ATSPostgres"], swiftSettings: swiftSettings),
        // The SAME repository and migration contract, run against both adapters.
        .testTarget(name: "ATSPersistenceContractTests", dependencies: ["ATSPersistence", "ATSFeatures", "ATSSQLite", "ATSPostgres", "ATSSupport", "ATSDomain", "ATSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSAPITests", dependencies: ["ATSAPI", "ATSHTTP", "ATSSupport", "ATSDomain", "ATSAuth", "ATSPersistence", "ATSFeatures", "ATSSQLite", "ATSPostgres", "ATSTestSupport", "ATSNotify", "ATSOutbox", "ATSNet"], swiftSettings: swiftSettings),
        .testTarget(name: "atsTests", dependencies: ["ats", "ATSTestSupport", "ATSSupport", "ATSDomain", "ATSPersistence", "ATSFeatures", "ATSAuth"], swiftSettings: swiftSettings),
    ]
)
