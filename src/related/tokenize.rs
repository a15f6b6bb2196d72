//! Language-aware tokenization for relevance and fingerprints: word splitting, accent folding,
//! Arabic letter normalization, stop words (English, French, Arabic) and stemming. Pure.

use rustc_hash::FxHashSet as HashSet;
use std::borrow::{Borrow, Cow};
use std::hash::Hash;
use std::sync::{Mutex, OnceLock};

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap as HashMap;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::stopwords;
use super::vector::{term_id, TermId};
use crate::dedup::stable_hash;

/// The languages the tokenizer treats specially; everything else is split and folded only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English: English stop words, Porter2 stemming.
    English,
    /// French: French stop words, Snowball French stemming.
    French,
    /// Arabic script: normalized letters, Arabic stop words, light prefix/suffix stemming.
    Arabic,
    /// Anything else: folded words, no stop words, no stemming.
    Other,
}

impl Lang {
    /// Maps a language tag (`en`, `fr-CA`, `ar`) to a `Lang`; `None` when the tag is unknown.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" | "eng" => Some(Lang::English),
            "fr" | "fra" | "fre" => Some(Lang::French),
            "ar" | "ara" | "fa" | "ur" => Some(Lang::Arabic),
            "" => None,
            _ => Some(Lang::Other),
        }
    }
}

/// Guesses the language of `text`: Arabic when most letters are Arabic script, otherwise
/// English or French by which stop word list covers more of the first 300 words.
pub fn detect_language(text: &str) -> Lang {
    let (mut arabic, mut latin) = (0usize, 0usize);
    for c in text.chars().take(4000) {
        if is_arabic(c) {
            arabic += 1;
        } else if c.is_alphabetic() {
            latin += 1;
        }
    }
    if arabic > latin {
        return Lang::Arabic;
    }
    let (en, fr) = (english(), french());
    let (mut en_hits, mut fr_hits, mut seen) = (0usize, 0usize, 0usize);
    for_each_word(text, |word| {
        en_hits += usize::from(en.contains(word));
        fr_hits += usize::from(fr.contains(word));
        seen += 1;
        seen < 300
    });
    match (en_hits, fr_hits) {
        (0, 0) => Lang::Other,
        (e, f) if f > e => Lang::French,
        _ => Lang::English,
    }
}

/// Splits `text` into lower-case, accent-folded words (Arabic letters normalized), keeping
/// stop words: the input of shingling, where word order and function words matter.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, |w| {
        out.push(w.to_owned());
        true
    });
    out
}

/// Calls `f` with each of [`words`] in order, without allocating a string per word (an ASCII
/// word is lower-cased into one reused buffer); stops when `f` returns false.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str) -> bool) {
    let mut buf = String::new();
    for piece in pieces(text) {
        let (raw, folded) = lower_and_fold(piece, &mut buf);
        let word = folded.as_deref().unwrap_or(&raw);
        if !word.is_empty() && !f(word) {
            return;
        }
    }
}

/// Index terms of `text` in `lang`: folded words without stop words, stemmed, without
/// one-letter words and without single digits.
pub fn tokenize_as(text: &str, lang: Lang) -> Vec<String> {
    let stemmer = stemmer(lang);
    let mut out = Vec::new();
    for_each_indexable(text, lang, |raw, folded| {
        let term = match (&stemmer, lang) {
            (Some(stemmer), _) => stem_cached(lang, stemmer, raw),
            (None, Lang::Arabic) => stem_arabic(folded),
            _ => folded.to_owned(),
        };
        if is_term(&term) {
            out.push(term);
        }
    });
    out
}

/// Calls `f` with the [`TermId`] of each of [`tokenize_as`]'s terms, in order. The same terms,
/// without a string per term: a term vector keeps only the ids. A stemmed word's id is
/// remembered by the hash of the word as written (see [`ID_MEMO`]), so a word seen before
/// costs a lookup in a table of integers, not the stemmer, a string copy and a hash of the
/// stem (the string memo's scattered entries made each word a few cache misses: 2% of a bulk
/// ingest's time).
pub fn for_each_term_id(text: &str, lang: Lang, mut f: impl FnMut(TermId)) {
    let stemmer = stemmer(lang);
    for_each_indexable(text, lang, |raw, folded| {
        let id = match (&stemmer, lang) {
            (Some(stemmer), _) => stem_id_cached(lang, stemmer, raw),
            (None, Lang::Arabic) => Some(stem_arabic(folded))
                .filter(|stem| is_term(stem))
                .map(|stem| term_id(&stem)),
            _ => is_term(folded).then(|| term_id(folded)),
        };
        if let Some(id) = id {
            f(id);
        }
    });
}

/// Calls `f(raw, folded)` for each word of `text` that may make a term in `lang`: `raw`
/// lower-cased as written (accents kept, for the stemmers), `folded` as [`fold`] makes it;
/// stop words and words of one character left out. An ASCII word is lower-cased into one
/// reused buffer.
fn for_each_indexable(text: &str, lang: Lang, mut f: impl FnMut(&str, &str)) {
    let stop = stop_words(lang);
    let mut buf = String::new();
    for piece in pieces(text) {
        let (raw, folded) = lower_and_fold(piece, &mut buf);
        let folded = folded.as_deref().unwrap_or(&raw);
        if is_term(folded) && !stop.is_some_and(|s| s.contains(folded)) {
            f(&raw, folded);
        }
    }
}

/// `piece` lower-cased as written (an ASCII word into the reused `buf`), and its folded form
/// ([`fold`]) when that differs from it (`None`: the word folds to itself).
fn lower_and_fold<'b>(piece: &str, buf: &'b mut String) -> (Cow<'b, str>, Option<String>) {
    if piece.is_ascii() {
        buf.clear();
        buf.push_str(piece);
        buf.make_ascii_lowercase();
        return (Cow::Borrowed(buf.as_str()), None);
    }
    let raw = piece.to_lowercase();
    let folded = (!raw.is_ascii()).then(|| fold(&raw));
    (Cow::Owned(raw), folded)
}

/// The stop words of `lang`, if it has a list.
fn stop_words(lang: Lang) -> Option<&'static HashSet<&'static str>> {
    match lang {
        Lang::English => Some(english()),
        Lang::French => Some(french()),
        Lang::Arabic => Some(arabic()),
        Lang::Other => None,
    }
}

/// [`for_each_word`] and [`for_each_term_id`] over `text` in one pass: `word` gets the
/// [`stable_hash`] of each word `for_each_word` gives, `term` each term id `for_each_term_id`
/// gives, each in order. A story's fingerprint hashes its body's words and its vector takes
/// the body's terms: split, lower-cased and folded once, an ASCII word is also hashed once
/// (as written it is its own folded form, the key of its stem's id and, unstemmed, its id).
pub fn for_each_word_and_term_id(
    text: &str,
    lang: Lang,
    mut word: impl FnMut(u64),
    mut term: impl FnMut(TermId),
) {
    let stemmer = stemmer(lang);
    let stop = stop_words(lang);
    let mut buf = String::new();
    for piece in pieces(text) {
        let (raw, folded) = lower_and_fold(piece, &mut buf);
        let folded = folded.as_deref().unwrap_or(&raw);
        if folded.is_empty() {
            continue;
        }
        let folded_hash = stable_hash(folded.as_bytes());
        word(folded_hash);
        if !is_term(folded) || stop.is_some_and(|s| s.contains(folded)) {
            continue;
        }
        let id = match (&stemmer, lang) {
            (Some(stemmer), _) => {
                let key = if *raw == *folded {
                    folded_hash
                } else {
                    stable_hash(raw.as_bytes())
                };
                stem_id_keyed(lang, stemmer, &raw, key)
            }
            (None, Lang::Arabic) => Some(stem_arabic(folded))
                .filter(|stem| is_term(stem))
                .map(|stem| term_id(&stem)),
            // `term_id(folded)`, already hashed.
            _ => Some(folded_hash as TermId),
        };
        if let Some(id) = id {
            term(id);
        }
    }
}

/// The Snowball stemmer of `lang`, if it has one.
fn stemmer(lang: Lang) -> Option<Stemmer> {
    match lang {
        Lang::English => Some(Stemmer::create(Algorithm::English)),
        Lang::French => Some(Stemmer::create(Algorithm::French)),
        _ => None,
    }
}

/// Whether `word` is long enough to be a term: two characters or more.
fn is_term(word: &str) -> bool {
    word.chars().count() >= 2
}

/// Stems' ids the process remembers per language before it starts over, keyed by the stable
/// 64-bit hash of the word as written (16 bytes an entry, no strings: ~1 MB a language). Two
/// words of one language colliding is as unlikely as two terms colliding, which term ids
/// already accept.
const ID_MEMO: usize = 65_536;

/// The id of `fold(stemmer.stem(raw))`, `None` when that stem is too short to be a term;
/// remembered.
fn stem_id_cached(lang: Lang, stemmer: &Stemmer, raw: &str) -> Option<TermId> {
    stem_id_keyed(lang, stemmer, raw, stable_hash(raw.as_bytes()))
}

/// [`stem_id_cached`] with the memo's key, `stable_hash(raw)`, already computed.
fn stem_id_keyed(lang: Lang, stemmer: &Stemmer, raw: &str, key: u64) -> Option<TermId> {
    static IDS: Memo<u64, Option<TermId>> = OnceLock::new();
    remembered(&IDS, lang, &key, ID_MEMO, || {
        let stem = fold(&stemmer.stem(raw));
        is_term(&stem).then(|| term_id(&stem))
    })
}

/// Words whose stems the process remembers, per language, before it starts over: a news
/// vocabulary repeats, and a Snowball stem costs more than a hash lookup.
const STEM_MEMO: usize = 32_768;

/// `fold(stemmer.stem(raw))`, remembered.
fn stem_cached(lang: Lang, stemmer: &Stemmer, raw: &str) -> String {
    static STEMS: Memo<String, String> = OnceLock::new();
    remembered(&STEMS, lang, raw, STEM_MEMO, || fold(&stemmer.stem(raw)))
}

/// A table of stems (one map per stemmed language). One for all threads (a few MB at most;
/// one per blocking-pool thread would multiply that), behind a lock held only for a lookup
/// or an insert.
type Memo<K, V> = OnceLock<Mutex<[HashMap<K, V>; 2]>>;

/// The value `memo` holds for `key` in `lang`, else `stem()`, kept; the table starts over
/// once it holds `bound` entries.
fn remembered<Q, K, V>(
    memo: &Memo<K, V>,
    lang: Lang,
    key: &Q,
    bound: usize,
    stem: impl FnOnce() -> V,
) -> V
where
    Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    K: Borrow<Q> + Hash + Eq,
    V: Clone,
{
    let memo = memo.get_or_init(Default::default);
    let slot = usize::from(lang == Lang::French);
    if let Some(known) = memo.lock().ok().and_then(|m| m[slot].get(key).cloned()) {
        return known;
    }
    let value = stem();
    if let Ok(mut m) = memo.lock() {
        let m = &mut m[slot];
        if m.len() >= bound {
            m.clear();
        }
        m.insert(key.to_owned(), value.clone());
    }
    value
}

/// Index terms of `text`, language detected from the text itself.
pub fn tokenize(text: &str) -> Vec<String> {
    tokenize_as(text, detect_language(text))
}

/// The words of `text` as written: runs of letters, digits and combining marks.
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

/// A letter, a digit or a combining mark. ASCII, most of the characters of most texts, is
/// answered without Unicode tables (no ASCII character is a combining mark): each space and
/// punctuation mark looked up `is_combining_mark`'s table.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// Lower-case words as written (accents kept, for the stemmers): the tests' reference.
#[cfg(test)]
fn raw_words(text: &str) -> impl Iterator<Item = String> + '_ {
    pieces(text).map(str::to_lowercase)
}

/// Removes accents and Arabic diacritics, unifies Arabic letter variants, maps Arabic-Indic
/// digits to ASCII, expands `œ`/`æ`/`ß`.
fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_owned();
    }
    let mut out = String::with_capacity(word.len());
    for c in word.nfkd() {
        if is_combining_mark(c) || c == '\u{0640}' {
            continue;
        }
        match c {
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ى' | 'ی' => out.push('ي'),
            'ة' => out.push('ه'),
            'ک' => out.push('ك'),
            '\u{0671}' => out.push('ا'),
            '\u{0660}'..='\u{0669}' => {
                out.push(char::from(b'0' + (c as u32 - 0x0660) as u8));
            }
            '\u{06F0}'..='\u{06F9}' => {
                out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8));
            }
            _ => out.push(c),
        }
    }
    out
}

/// Light Arabic stemming (after Larkey et al.): strips the article and attached conjunctions
/// and prepositions, then common plural and pronoun suffixes, keeping at least 2 letters.
fn stem_arabic(word: &str) -> String {
    const PREFIXES: &[&str] = &["وال", "بال", "كال", "فال", "لل", "ال"];
    const SUFFIXES: &[&str] = &["ها", "ان", "ات", "ون", "ين", "يه", "يه", "ه", "ي"];
    let mut w: Vec<char> = word.chars().collect();
    if w.len() > 3 && w[0] == 'و' {
        w.remove(0);
    }
    for p in PREFIXES {
        let p: Vec<char> = p.chars().collect();
        if w.len() >= p.len() + 2 && w.starts_with(&p) {
            w.drain(..p.len());
            break;
        }
    }
    for s in SUFFIXES {
        let s: Vec<char> = s.chars().collect();
        if w.len() >= s.len() + 2 && w.ends_with(&s) {
            w.truncate(w.len() - s.len());
        }
    }
    w.into_iter().collect()
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FEFF}')
}

fn english() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| stopwords::ENGLISH.iter().copied().collect())
}

fn french() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| stopwords::FRENCH.iter().copied().collect())
}

fn arabic() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| stopwords::ARABIC.iter().copied().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenize_cases() {
        let cases: &[(&str, Lang, &[&str])] = &[
            (
                "The police said the gunmen fled.",
                Lang::English,
                &["polic", "gunmen", "fled"],
            ),
            ("Shootings in Chicago", Lang::English, &["shoot", "chicago"]),
            (
                "L'élection présidentielle à Paris",
                Lang::French,
                &["elect", "presidentiel", "paris"],
            ),
            ("Été, ÉTÉ, été", Lang::Other, &["ete", "ete", "ete"]),
            ("Œuvre", Lang::Other, &["oeuvre"]),
            ("a 7 22 x", Lang::Other, &["22"]),
            ("وقال الرئيس في القاهرة", Lang::Arabic, &["رييس", "قاهر"]),
            ("الانتخابات الرئاسية", Lang::Arabic, &["انتخاب", "رياس"]),
            ("مُحَمَّد", Lang::Arabic, &["محمد"]),
        ];
        for (text, lang, want) in cases {
            assert_eq!(tokenize_as(text, *lang), *want, "{text}");
        }
    }

    #[test]
    fn detects_languages() {
        let cases: &[(&str, Lang)] = &[
            (
                "The mayor said that the fire was under control.",
                Lang::English,
            ),
            (
                "Le maire a dit que le feu était sous contrôle dans la ville.",
                Lang::French,
            ),
            ("قال رئيس البلدية إن الحريق تحت السيطرة", Lang::Arabic),
            ("12345", Lang::Other),
        ];
        for (text, want) in cases {
            assert_eq!(detect_language(text), *want, "{text}");
        }
    }

    #[test]
    fn words_keep_stop_words_and_fold() {
        assert_eq!(words("The Café, d'été"), vec!["the", "cafe", "d", "ete"]);
    }

    #[test]
    fn words_are_lower_cased_then_folded_as_whole_words() {
        let text = "ÉTÉ Straße ΟΔΟΣ \u{212A}elvin Œuvre قالَ ٣٤ x2Y";
        let reference: Vec<String> = raw_words(text)
            .map(|w| fold(&w))
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(words(text), reference);
        assert_eq!(words(text)[..3], ["ete", "strasse", "οδος"]);
        let mut seen = Vec::new();
        for_each_word("one two three four", |w| {
            seen.push(w.to_owned());
            seen.len() < 2
        });
        assert_eq!(seen, ["one", "two"]);
    }

    #[test]
    fn word_chars_agree_with_unicode_for_every_ascii_and_sampled_other_character() {
        let reference = |c: char| c.is_alphanumeric() || is_combining_mark(c);
        for c in (0..=0x2FFF_u32)
            .chain((0xFB00..=0xFEFF).step_by(3))
            .filter_map(char::from_u32)
        {
            assert_eq!(is_word_char(c), reference(c), "{c:?}");
        }
    }

    #[test]
    fn term_ids_are_the_ids_of_the_tokens() {
        let texts = [
            "The police said the gunmen fled; shootings in Chicago, 22 of them, x 7.",
            "L'élection présidentielle à Paris: les électeurs ont voté, ÉTÉ 2024.",
            "وقال الرئيس في القاهرة إن الانتخابات الرئاسية مُحَمَّد ٣٤",
            "Straße ΟΔΟΣ \u{212A}elvin Œuvre x2Y a b cc",
        ];
        for text in texts {
            for lang in [Lang::English, Lang::French, Lang::Arabic, Lang::Other] {
                // Twice: the second pass reads the remembered ids.
                for _ in 0..2 {
                    let mut ids = Vec::new();
                    for_each_term_id(text, lang, |id| ids.push(id));
                    let expected: Vec<TermId> =
                        tokenize_as(text, lang).iter().map(|t| term_id(t)).collect();
                    assert_eq!(ids, expected, "{lang:?}: {text}");
                }
            }
        }
    }

    #[test]
    fn lang_tags() {
        assert_eq!(Lang::from_tag("fr-CA"), Some(Lang::French));
        assert_eq!(Lang::from_tag("EN"), Some(Lang::English));
        assert_eq!(Lang::from_tag("de"), Some(Lang::Other));
        assert_eq!(Lang::from_tag(""), None);
    }
}
