// The province and commune pickers of the declaration form: today's 34 provinces and 3,321
// communes (no districts since 1 July 2025), read from the app's resource
// App/Resources/units.tsv (generated from authority/assets/units/units.tsv by
// demo_resource.py; the library does not carry the table). Searching ignores case and
// diacritics, so "da nang" finds "Thành phố Đà Nẵng"; the commune list is that of the chosen
// province. Mirrors Units.kt.

import Foundation

public struct Province: Equatable { public let code: Int, name: String }
public struct Commune: Equatable { public let code: Int, province: Int, name: String }

/// Lower case, no diacritics, đ as d, words separated by one space: what searches compare.
public func fold(_ text: String) -> String {
    let lower = text.lowercased().replacingOccurrences(of: "đ", with: "d")
    var out = ""
    for scalar in lower.decomposedStringWithCanonicalMapping.unicodeScalars {
        let p = scalar.properties
        if p.generalCategory == .nonspacingMark { continue }
        if p.isAlphabetic || p.numericType != nil {
            out.unicodeScalars.append(scalar)
        } else if !out.isEmpty && out.last != " " {
            out.append(" ")
        }
    }
    while out.last == " " { out.removeLast() }
    return out
}

/// One searchable name: words starting with the query come first, then names containing it.
private struct Folded<T> {
    let item: T
    let words: String
    let compact: String
    init(_ item: T, _ name: String) {
        self.item = item
        words = " " + fold(name)
        compact = words.replacingOccurrences(of: " ", with: "")
    }

    /// 0: a word starts with the query, 1: the name contains it (also without spaces), nil: no match.
    func rank(_ query: String) -> Int? {
        if query.isEmpty || words.contains(" " + query) { return 0 }
        if words.contains(query) || compact.contains(query.replacingOccurrences(of: " ", with: "")) { return 1 }
        return nil
    }
}

private func search<T>(_ items: [Folded<T>], _ query: String) -> [T] {
    let q = fold(query)
    let ranked = items.enumerated().compactMap { i, f in f.rank(q).map { ($0, i, f.item) } }
    return ranked.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { $0.2 }
}

/// The units in picker order (the resource's order: by name).
public final class AdministrativeUnits {
    public let provinces: [Province]
    public let communeCount: Int
    private let provinceByCode: [Int: Province]
    private let communeByCode: [Int: Commune]
    private let foldedProvinces: [Folded<Province>]
    private let communesByProvince: [Int: [Folded<Commune>]]

    public init(provinces: [Province], communes: [Commune]) {
        self.provinces = provinces
        communeCount = communes.count
        provinceByCode = Dictionary(provinces.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        communeByCode = Dictionary(communes.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        foldedProvinces = provinces.map { Folded($0, $0.name) }
        communesByProvince = Dictionary(grouping: communes.map { Folded($0, $0.name) }, by: { $0.item.province })
    }

    public static let none = AdministrativeUnits(provinces: [], communes: [])

    public func province(_ code: Int) -> Province? { provinceByCode[code] }
    public func commune(_ code: Int) -> Commune? { communeByCode[code] }

    /// Provinces whose name matches `query` (all when blank).
    public func searchProvinces(_ query: String) -> [Province] { search(foldedProvinces, query) }

    /// The communes of `province` whose name matches `query`; none before a province is chosen.
    public func searchCommunes(province: Int?, _ query: String) -> [Commune] {
        guard let province, let communes = communesByProvince[province] else { return [] }
        return search(communes, query)
    }

    /// Parses the resource: `P code name` and `C code province name` rows, `#` comments.
    public static func parse(_ text: String) -> AdministrativeUnits {
        var provinces: [Province] = [], communes: [Commune] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard c.count >= 3, let code = Int(c[1]) else { continue }
            if c[0] == "P" && c.count == 3 {
                provinces.append(Province(code: code, name: c[2]))
            } else if c[0] == "C" && c.count == 4, let province = Int(c[2]) {
                communes.append(Commune(code: code, province: province, name: c[3]))
            }
        }
        return AdministrativeUnits(provinces: provinces, communes: communes)
    }
}
