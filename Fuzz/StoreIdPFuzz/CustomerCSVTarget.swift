import Foundation
import StoreIdPCore

/// `customers import FILE.csv`: the header, every row, and each profile's validation. The
/// file is cut into chunks of 1 to 13 bytes so that quotes, CRLF and the byte order mark
/// fall across chunk boundaries too.
enum CustomerCSVTarget {
    static func run(_ input: Data) -> String {
        CustomerImport.read(input, format: .csv)
    }
}

/// Reads a whole import file as the command does, validating each row's profile.
enum CustomerImport {
    static func read(_ input: Data, format: CustomerImportFile.Format) -> String {
        let bytes = [UInt8](input)
        var file: CustomerImportFile
        do {
            file = try CustomerImportFile(source: .bytes(bytes, chunkSize: 1 + bytes.count % 13), format: format)
        } catch {
            return "refused: \(error.description)"
        }
        var valid = 0, rejected = 0
        while let row = try? file.next() {
            switch row.profile {
            case let .success(profile):
                do { _ = try profile.validate(); valid += 1 } catch { _ = error.description; rejected += 1 }
            case let .failure(rejection):
                _ = rejection.description
                rejected += 1
            }
        }
        return "\(valid) valid row(s), \(rejected) rejected"
    }
}
