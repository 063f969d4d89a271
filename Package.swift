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

        .target(name: "ATSCore", swiftSettings: swiftSettings),
        .target(name: "ATSHTTP", dependencies: ["CLinux"], swiftSettings: swiftSettings),
        .target(name: "ATSAuth", dependencies: ["ATSCore", "CSodium"], swiftSettings: swiftSettings),
        .target(name: "ATSStorage", dependencies: ["ATSCore", "CSodium"], swiftSettings: swiftSettings),
        .target(name: "ATSSQLite", dependencies: ["ATSCore", "ATSStorage", "CSQLite3"], swiftSettings: swiftSettings),
        .target(name: "ATSPostgres", dependencies: ["ATSCore", "ATSStorage", "CLibPQ"], swiftSettings: swiftSettings),
        // Blocking client sockets with timeouts (SMTP, Redis).
        .target(name: "ATSNet", swiftSettings: swiftSettings),
        .target(name: "ATSNotify", dependencies: ["ATSCore", "ATSNet", "COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "ATSQueue", dependencies: ["ATSCore", "ATSStorage", "ATSNotify", "ATSNet"], swiftSettings: swiftSettings),
        .target(name: "ATSAPI", dependencies: ["ATSCore", "ATSHTTP", "ATSAuth", "ATSStorage"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "ats",
            dependencies: ["ATSCore", "ATSHTTP", "ATSAPI", "ATSAuth", "ATSStorage", "ATSSQLite", "ATSPostgres", "ATSNotify", "ATSQueue"],
            swiftSettings: swiftSettings
        ),
        // Shared by the test targets: databases for both backends, a raw HTTP client.
        .target(name: "ATSTestSupport", dependencies: ["ATSCore", "ATSStorage", "ATSSQLite", "ATSPostgres"], swiftSettings: swiftSettings),
        // scripts/bench's data-layer run (not shipped).
        .executableTarget(name: "ats-storage-bench", dependencies: ["ATSCore", "ATSStorage", "ATSSQLite", "ATSPostgres"], swiftSettings: swiftSettings),

        .testTarget(name: "ATSCoreTests", dependencies: ["ATSCore"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSHTTPTests", dependencies: ["ATSHTTP", "CLinux", "ATSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSNotifyTests", dependencies: ["ATSNotify", "ATSQueue", "ATSCore", "ATSStorage", "ATSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSQueueTests", dependencies: ["ATSQueue", "ATSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSAuthTests", dependencies: ["ATSAuth"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSSQLiteTests", dependencies: ["ATSSQLite"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSPostgresTests", dependencies: ["ATSPostgres"], swiftSettings: swiftSettings),
        // The SAME repository and migration contract, run against both adapters.
        .testTarget(name: "ATSStorageContractTests", dependencies: ["ATSStorage", "ATSSQLite", "ATSPostgres", "ATSCore", "ATSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ATSAPITests", dependencies: ["ATSAPI", "ATSHTTP", "ATSCore", "ATSAuth", "ATSStorage", "ATSSQLite", "ATSPostgres", "ATSTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "atsTests", dependencies: ["ats", "ATSTestSupport", "ATSCore", "ATSStorage"], swiftSettings: swiftSettings),
    ]
)
