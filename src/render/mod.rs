//! The combined feed as RSS 2.0, Atom 1.0 and JSON Feed 1.1: pure functions from a
//! [`Channel`] and its stories to a document string. No I/O, no clock, no database here;
//! the caller decides the order of the stories (newest first) and where the text goes.
//!
//! Every format carries the same facts: one item per story, id = [`Channel::story_id`],
//! link = the primary article, the "Also reported by" line and the "Related articles"
//! block appended to the HTML content (see [`related_block`]).

mod atom;
pub(crate) mod clean;
mod dates;
mod format;
mod json;
mod media;
mod related_block;
mod rss;
#[cfg(test)]
mod test_stories;

pub use self::atom::render_atom;
pub use self::format::{Format, UnknownFormat};
pub use self::json::render_json;
pub use self::related_block::content_with_links;
pub use self::rss::render_rss;

use crate::model::{Channel, Story};

/// Renders `stories` (in the order given) as a complete feed document in `format`.
pub fn render(format: Format, channel: &Channel, stories: &[Story]) -> String {
    match format {
        Format::Rss => render_rss(channel, stories),
        Format::Atom => render_atom(channel, stories),
        Format::Json => render_json(channel, stories),
    }
}

#[cfg(test)]
mod tests {
    use super::test_stories::{sample_channel, sample_stories};
    use super::*;

    #[test]
    fn render_dispatches_on_format() {
        let channel = sample_channel();
        let stories = sample_stories();
        for format in Format::ALL {
            assert_eq!(
                render(format, &channel, &stories),
                match format {
                    Format::Rss => render_rss(&channel, &stories),
                    Format::Atom => render_atom(&channel, &stories),
                    Format::Json => render_json(&channel, &stories),
                }
            );
        }
    }
}
