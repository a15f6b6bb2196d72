//! Enclosures and lead images as every format can carry them: defaults for what the source
//! did not declare, and the image's MIME type guessed from its file name.

use crate::model::{Enclosure, Story};

use super::clean::is_web_url;

/// MIME type used when the source feed did not declare one.
pub(crate) const UNKNOWN_MIME: &str = "application/octet-stream";

/// An enclosure with every field a feed needs filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attachment {
    /// Absolute http(s) URL of the file.
    pub url: String,
    /// Declared MIME type, or [`UNKNOWN_MIME`].
    pub mime_type: String,
    /// Declared size in bytes, if known.
    pub length: Option<u64>,
}

impl Attachment {
    fn from_enclosure(enclosure: &Enclosure) -> Option<Self> {
        if !is_web_url(&enclosure.url) {
            return None;
        }
        let mime_type = enclosure
            .mime_type
            .as_deref()
            .map(str::trim)
            .filter(|m| m.contains('/'))
            .unwrap_or(UNKNOWN_MIME)
            .to_string();
        Some(Attachment {
            url: enclosure.url.clone(),
            mime_type,
            length: enclosure.length,
        })
    }
}

/// The story's enclosures that can be published (absolute http(s) URLs), defaults applied.
pub(crate) fn attachments(story: &Story) -> Vec<Attachment> {
    story
        .enclosures
        .iter()
        .filter_map(Attachment::from_enclosure)
        .collect()
}

/// The story's lead image URL, if it is an absolute http(s) URL.
pub(crate) fn lead_image(story: &Story) -> Option<&str> {
    story.image.as_deref().filter(|u| is_web_url(u))
}

/// The lead image as an attachment (type guessed from the file name), unless an
/// enclosure already points at it.
pub(crate) fn image_attachment(story: &Story) -> Option<Attachment> {
    let image = lead_image(story)?;
    if story.enclosures.iter().any(|e| e.url == image) {
        return None;
    }
    Some(Attachment {
        url: image.to_string(),
        mime_type: guess_image_mime(image).to_string(),
        length: None,
    })
}

/// Guesses an image MIME type from the URL's path extension; `image/jpeg` when unsure,
/// since that is what news sites serve almost always.
pub(crate) fn guess_image_mime(url: &str) -> &'static str {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    let ext = path.rsplit_once('.').map(|(_, ext)| ext).unwrap_or("");
    match ext {
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => "image/jpeg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_stories::sample_stories;

    #[test]
    fn guesses_image_types() {
        let table = [
            ("https://x.org/a/photo.PNG?w=300", "image/png"),
            ("https://x.org/a/photo.webp", "image/webp"),
            ("https://x.org/a/photo.jpg", "image/jpeg"),
            ("https://x.org/a/photo", "image/jpeg"),
        ];
        for (url, want) in table {
            assert_eq!(guess_image_mime(url), want, "{url}");
        }
    }

    #[test]
    fn fills_enclosure_defaults_and_drops_unsafe_urls() {
        let mut story = sample_stories().remove(0);
        story.enclosures = vec![
            Enclosure {
                url: "https://x.org/a.mp3".into(),
                mime_type: None,
                length: None,
            },
            Enclosure {
                url: "javascript:alert(1)".into(),
                mime_type: None,
                length: None,
            },
            Enclosure {
                url: "https://x.org/b.ogg".into(),
                mime_type: Some("audio/ogg".into()),
                length: Some(42),
            },
        ];
        let got = attachments(&story);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].mime_type, UNKNOWN_MIME);
        assert_eq!(got[0].length, None);
        assert_eq!(
            (got[1].mime_type.as_str(), got[1].length),
            ("audio/ogg", Some(42))
        );
    }

    #[test]
    fn image_attachment_skips_images_already_enclosed() {
        let mut story = sample_stories().remove(0);
        story.image = Some("https://x.org/lead.png".into());
        story.enclosures.clear();
        assert_eq!(image_attachment(&story).unwrap().mime_type, "image/png");
        story.enclosures = vec![Enclosure {
            url: "https://x.org/lead.png".into(),
            mime_type: None,
            length: None,
        }];
        assert_eq!(image_attachment(&story), None);
    }
}
