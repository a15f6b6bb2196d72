//! Which output format a request or a command asked for: names, MIME types, file extensions.

use std::fmt;
use std::str::FromStr;

/// One of the feed formats feedmix publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// RSS 2.0 (with the Atom, Dublin Core, content and Media RSS extensions).
    Rss,
    /// Atom 1.0 (RFC 4287).
    Atom,
    /// JSON Feed 1.1.
    Json,
}

/// The name given for a feed format is none of `rss`, `atom` or `json`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown feed format {0:?}: use rss, atom or json")]
pub struct UnknownFormat(pub String);

impl Format {
    /// Every format, in the order feedmix lists them.
    pub const ALL: [Format; 3] = [Format::Rss, Format::Atom, Format::Json];

    /// The lower-case name used on the command line and in URLs (`rss`, `atom`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }

    /// The HTTP `Content-Type` to serve this format with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }

    /// The file extension (without dot) for a published file: `xml`, `atom`, `json`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Rss => "xml",
            Format::Atom => "atom",
            Format::Json => "json",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// Accepts `rss`, `atom` or `json`, ignoring case and surrounding spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rss" => Ok(Format::Rss),
            "atom" => Ok(Format::Atom),
            "json" => Ok(Format::Json),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_round_trips() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string(), format.name());
        }
        assert_eq!(" JSON ".parse::<Format>(), Ok(Format::Json));
    }

    #[test]
    fn rejects_unknown_names_with_a_hint() {
        let err = "rdf".parse::<Format>().unwrap_err();
        assert_eq!(err, UnknownFormat("rdf".into()));
        assert!(err.to_string().contains("use rss, atom or json"));
    }

    #[test]
    fn content_types_and_extensions() {
        let table = [
            (Format::Rss, "application/rss+xml", "xml"),
            (Format::Atom, "application/atom+xml", "atom"),
            (Format::Json, "application/feed+json", "json"),
        ];
        for (format, mime, ext) in table {
            assert!(format.content_type().starts_with(mime));
            assert_eq!(format.extension(), ext);
        }
    }
}
