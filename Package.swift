// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "StoreIdP",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "storeidp", targets: ["storeidp"]),
        .library(name: "StoreIdPCore", targets: ["StoreIdPCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.100.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.6.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.8.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.3.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.20.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXMLSec",
            path: "Sources/CLibXMLSec",
            pkgConfig: "xmlsec1-openssl",
            providers: [.apt(["libxmlsec1-dev", "libxml2-dev", "libssl-dev"])]
        ),
        .target(name: "CXMLSec", dependencies: ["CLibXMLSec"]),
        .target(name: "XMLSecurity", dependencies: ["CXMLSec"]),
        .target(
            name: "StoreIdPCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "SAML", dependencies: ["XMLSecurity", "StoreIdPCore"]),
        .target(
            name: "JWTSSO",
            dependencies: [
                "StoreIdPCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SignOn",
            dependencies: ["StoreIdPCore", "SAML", "JWTSSO", "XMLSecurity", .product(name: "Metrics", package: "swift-metrics")]
        ),
        .target(
            name: "StoreIdPServer",
            dependencies: [
                "StoreIdPCore",
                "SAML",
                "JWTSSO",
                "SignOn",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .executableTarget(name: "storeidp", dependencies: ["StoreIdPServer"]),
        .executableTarget(
            name: "storeidp-benchmarks",
            dependencies: ["SAML", "JWTSSO", "StoreIdPCore", "XMLSecurity"],
            path: "Benchmarks/StoreIdPBenchmarks"
        ),
        // libFuzzer targets over every parser of outside input (Tests/Fuzz/run.sh builds it with
        // -sanitize=fuzzer,address -DSTOREIDP_FUZZING); a plain build gets a replay `main`.
        .executableTarget(
            name: "storeidp-fuzz",
            dependencies: [
                "SAML", "XMLSecurity", "StoreIdPCore", "JWTSSO", "SignOn",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Fuzz/StoreIdPFuzz"
        ),
        .target(
            name: "StoreIdPTestSupport",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "XMLSecurityTests", dependencies: ["XMLSecurity", "StoreIdPTestSupport"]),
        .testTarget(name: "SAMLTests", dependencies: ["SAML", "XMLSecurity", "StoreIdPCore", "StoreIdPTestSupport"]),
        .testTarget(
            name: "JWTSSOTests",
            dependencies: [
                "JWTSSO",
                "StoreIdPCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SignOnTests",
            dependencies: [
                "SignOn", "SAML", "XMLSecurity", "StoreIdPCore", "JWTSSO",
                .product(name: "JWTKit", package: "jwt-kit"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "StoreIdPCoreTests",
            dependencies: [
                "StoreIdPCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .testTarget(
            name: "StoreIdPServerTests",
            dependencies: [
                "StoreIdPServer",
                "SignOn",
                "SAML",
                "XMLSecurity",
                "JWTSSO",
                .product(name: "XCTVapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
