//! Language of an article's text when the page does not declare it (whatlang), as an
//! ISO 639-1 code where one exists.

use whatlang::Lang;

/// Texts shorter than this (characters) are not worth guessing from.
const MIN_TEXT: usize = 40;

/// Guesses the language of `text`; `None` when too short or too unsure.
pub(crate) fn detect_language(text: &str) -> Option<String> {
    if text.len() < MIN_TEXT {
        return None;
    }
    let sample = &text[..floor_boundary(text, 4000)];
    let info = whatlang::detect(sample)?;
    if info.confidence() < 0.5 {
        return None;
    }
    Some(iso_639_1(info.lang()).map_or_else(|| info.lang().code().to_string(), String::from))
}

/// Largest char boundary of `text` at or below `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut i = at.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn iso_639_1(lang: Lang) -> Option<&'static str> {
    use Lang::*;
    Some(match lang {
        Eng => "en",
        Fra => "fr",
        Deu => "de",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Rus => "ru",
        Ukr => "uk",
        Pol => "pl",
        Ces => "cs",
        Slk => "sk",
        Swe => "sv",
        Dan => "da",
        Nob => "nb",
        Fin => "fi",
        Hun => "hu",
        Ron => "ro",
        Bul => "bg",
        Ell => "el",
        Tur => "tr",
        Ara => "ar",
        Heb => "he",
        Pes => "fa",
        Urd => "ur",
        Hin => "hi",
        Ben => "bn",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Vie => "vi",
        Tha => "th",
        Ind => "id",
        Hrv => "hr",
        Srp => "sr",
        Slv => "sl",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Cat => "ca",
        Epo => "eo",
        Afr => "af",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_languages() {
        let cases = [
            ("The quick brown fox jumps over the lazy dog while the farmer watches from the porch.", Some("en")),
            ("Le gouvernement a annoncé mardi une série de mesures pour soutenir les entreprises touchées.", Some("fr")),
            ("short", None),
        ];
        for (text, want) in cases {
            assert_eq!(detect_language(text).as_deref(), want, "{text}");
        }
    }
}
