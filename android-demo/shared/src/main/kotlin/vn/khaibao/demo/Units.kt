// The province and commune pickers of the declaration form: today's 34 provinces and 3,321
// communes (no districts since 1 July 2025), read from the app's resource res/raw/units.tsv
// (generated from authority/assets/units/units.tsv by demo_resource.py; the library does
// not carry the table). Searching ignores case and diacritics, so "da nang" finds
// "Thành phố Đà Nẵng"; the commune list is that of the chosen province. Mirrors Units.swift.

package vn.khaibao.demo

import java.text.Normalizer

data class Province(val code: Int, val name: String)
data class Commune(val code: Int, val province: Int, val name: String)

/** Lower case, no diacritics, đ as d, words separated by one space: what searches compare. */
fun fold(text: String): String {
    val decomposed = Normalizer.normalize(text.lowercase().replace('đ', 'd'), Normalizer.Form.NFD)
    val out = StringBuilder()
    for (c in decomposed) {
        when {
            Character.getType(c) == Character.NON_SPACING_MARK.toInt() -> {}
            c.isLetterOrDigit() -> out.append(c)
            out.isNotEmpty() && out.last() != ' ' -> out.append(' ')
        }
    }
    return out.toString().trimEnd()
}

/** One searchable name: words starting with the query come first, then names containing it. */
private class Folded<T>(val item: T, name: String) {
    private val words = " " + fold(name)
    private val compact = words.replace(" ", "")

    /** 0: a word starts with the query, 1: the name contains it (also without spaces), null: no match. */
    fun rank(query: String): Int? = when {
        query.isEmpty() || words.contains(" $query") -> 0
        words.contains(query) || compact.contains(query.replace(" ", "")) -> 1
        else -> null
    }
}

private fun <T> search(items: List<Folded<T>>, query: String): List<T> {
    val q = fold(query)
    return items.mapNotNull { f -> f.rank(q)?.let { it to f.item } }.sortedBy { it.first }.map { it.second }
}

/** The units in picker order (the resource's order: by name). */
class AdministrativeUnits(val provinces: List<Province>, communes: List<Commune>) {
    private val provinceByCode = provinces.associateBy { it.code }
    private val communeByCode = communes.associateBy { it.code }
    private val foldedProvinces = provinces.map { Folded(it, it.name) }
    private val communesByProvince = communes.groupBy { it.province }.mapValues { (_, l) -> l.map { Folded(it, it.name) } }
    val communeCount = communes.size

    fun province(code: Int): Province? = provinceByCode[code]
    fun commune(code: Int): Commune? = communeByCode[code]

    /** Provinces whose name matches `query` (all when blank). */
    fun searchProvinces(query: String): List<Province> = search(foldedProvinces, query)

    /** The communes of `province` whose name matches `query`; none before a province is chosen. */
    fun searchCommunes(province: Int?, query: String): List<Commune> =
        province?.let { communesByProvince[it] }?.let { search(it, query) } ?: emptyList()

    companion object {
        val NONE = AdministrativeUnits(emptyList(), emptyList())

        /** Parses the resource: `P code name` and `C code province name` rows, `#` comments. */
        fun parse(text: String): AdministrativeUnits {
            val provinces = mutableListOf<Province>()
            val communes = mutableListOf<Commune>()
            for (line in text.lineSequence()) {
                val c = line.split('\t')
                val code = c.getOrNull(1)?.toIntOrNull() ?: continue
                when {
                    c[0] == "P" && c.size == 3 -> provinces += Province(code, c[2])
                    c[0] == "C" && c.size == 4 -> c[2].toIntOrNull()?.let { communes += Commune(code, it, c[3]) }
                }
            }
            return AdministrativeUnits(provinces, communes)
        }
    }
}
