//! The venue categories as people name them: the seed's words (shop, café, hotel, company,
//! school, hospital, office, restaurant, transport, …) in English and Vietnamese, each mapped
//! to the category a signed venue code carries. The portal's picker and the CLI's
//! `--category` both read this one table, and an unknown word is answered with the list.

use khaibao_core::venue::VenueCategory;

/// One word a venue owner may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    /// The stable English word (the form's value and the CLI's argument).
    pub word: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    /// The category in the signed venue code.
    pub category: VenueCategory,
}

const fn c(
    word: &'static str,
    label_vi: &'static str,
    label_en: &'static str,
    category: VenueCategory,
) -> Category {
    Category {
        word,
        label_vi,
        label_en,
        category,
    }
}

/// Every choice, in the order a picker lists them.
pub const CATEGORIES: [Category; 13] = [
    c("shop", "Cửa hàng", "Shop", VenueCategory::Market),
    c("cafe", "Quán cà phê", "Café", VenueCategory::Restaurant),
    c(
        "restaurant",
        "Nhà hàng, quán ăn",
        "Restaurant",
        VenueCategory::Restaurant,
    ),
    c(
        "hotel",
        "Khách sạn, nhà nghỉ",
        "Hotel",
        VenueCategory::Lodging,
    ),
    c(
        "company",
        "Công ty, nhà máy",
        "Company",
        VenueCategory::Office,
    ),
    c(
        "office",
        "Cơ quan, văn phòng",
        "Office",
        VenueCategory::Office,
    ),
    c("school", "Trường học", "School", VenueCategory::School),
    c(
        "hospital",
        "Bệnh viện, cơ sở y tế",
        "Hospital",
        VenueCategory::Hospital,
    ),
    c("market", "Chợ, siêu thị", "Market", VenueCategory::Market),
    c(
        "transport",
        "Phương tiện công cộng",
        "Public transport",
        VenueCategory::Transport,
    ),
    c("event", "Sự kiện", "Event", VenueCategory::Event),
    c("lodging", "Nơi lưu trú", "Lodging", VenueCategory::Lodging),
    c("other", "Địa điểm khác", "Other", VenueCategory::Other),
];

/// An unknown category word, with every choice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown venue category; choose one of: {}", choices())]
pub struct UnknownCategory;

/// The choices as a comma-separated list.
pub fn choices() -> String {
    CATEGORIES
        .iter()
        .map(|c| c.word)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The choice for `word` (case-insensitive; "café" with or without its accent).
pub fn parse(word: &str) -> Result<&'static Category, UnknownCategory> {
    let word = word.trim().to_lowercase().replace('é', "e");
    CATEGORIES
        .iter()
        .find(|c| c.word == word)
        .ok_or(UnknownCategory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_words_map_to_signed_categories() {
        assert_eq!(
            parse("café").map(|c| c.category),
            Ok(VenueCategory::Restaurant)
        );
        assert_eq!(parse("Shop").map(|c| c.category), Ok(VenueCategory::Market));
        assert_eq!(
            parse("hotel").map(|c| c.category),
            Ok(VenueCategory::Lodging)
        );
        assert_eq!(
            parse("company").map(|c| c.category),
            Ok(VenueCategory::Office)
        );
        // Every category a code can carry is reachable under its own name.
        for c in CATEGORIES {
            assert_eq!(parse(c.word), Ok(&c));
        }
    }

    #[test]
    fn an_unknown_word_lists_the_choices() {
        let e = parse("karaoke").unwrap_err().to_string();
        for word in [
            "shop",
            "cafe",
            "hotel",
            "company",
            "school",
            "hospital",
            "transport",
        ] {
            assert!(e.contains(word), "{e}");
        }
    }
}
