//! The folding and related-stories indexes in SQLite: the [`CopyStore`] and [`RelatedStore`]
//! read traits over a connection (or the open batch transaction, so an article sees the
//! ones written before it), and the writes that keep the indexes current.

use rusqlite::{params, Connection, OptionalExtension};

use crate::dedup::{CopyStore, StoredText};
use crate::related::{NewDoc, Posting, RelatedStore, RelatedUpdate, StoredDoc, TermId, TermVector};

/// The indexes, read through one connection or transaction.
pub(super) struct SqlIndex<'c>(pub &'c Connection);

/// Runs a query that cannot fail on a sound database; a failure is logged and read as
/// "nothing found", which only costs a missed link, never stored data.
fn or_empty<T: Default>(what: &str, result: rusqlite::Result<T>) -> T {
    result.unwrap_or_else(|e| {
        tracing::error!("index query {what} failed: {e}");
        T::default()
    })
}

impl CopyStore for SqlIndex<'_> {
    fn band_matches(&self, keys: &[i64], limit: usize) -> Vec<(i64, u32)> {
        if keys.is_empty() {
            return Vec::new();
        }
        let marks = vec!["?"; keys.len()].join(",");
        let sql = format!(
            "SELECT article_id, COUNT(*) AS hits FROM bands WHERE band_key IN ({marks})
             GROUP BY article_id ORDER BY hits DESC, article_id LIMIT {limit}"
        );
        or_empty(
            "band_matches",
            (|| {
                let mut stmt = self.0.prepare_cached(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(keys), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
                rows.collect()
            })(),
        )
    }

    fn article_texts(&self, ids: &[i64]) -> Vec<StoredText> {
        or_empty(
            "article_texts",
            (|| {
                let mut stmt = self.0.prepare_cached(
                    "SELECT id, story_id, content_text FROM articles WHERE id = ?1",
                )?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let row = stmt
                        .query_row([id], |r| {
                            Ok(StoredText {
                                article_id: r.get(0)?,
                                story_id: r.get(1)?,
                                text: r.get(2)?,
                            })
                        })
                        .optional()?;
                    out.extend(row);
                }
                Ok(out)
            })(),
        )
    }
}

impl RelatedStore for SqlIndex<'_> {
    fn doc_count(&self) -> u64 {
        or_empty(
            "doc_count",
            self.0
                .query_row("SELECT COUNT(*) FROM story_vectors", [], |r| {
                    r.get::<_, i64>(0)
                }),
        )
        .max(0) as u64
    }

    fn doc_freqs(&self, terms: &[TermId]) -> Vec<u64> {
        or_empty(
            "doc_freqs",
            (|| {
                let mut stmt = self
                    .0
                    .prepare_cached("SELECT df FROM term_df WHERE term = ?1")?;
                terms
                    .iter()
                    .map(|t| {
                        Ok(stmt
                            .query_row([t], |r| r.get::<_, i64>(0))
                            .optional()?
                            .unwrap_or(0)
                            .max(0) as u64)
                    })
                    .collect()
            })(),
        )
    }

    fn postings(
        &self,
        terms: &[TermId],
        from: i64,
        to: i64,
        limit_per_term: usize,
    ) -> Vec<Posting> {
        or_empty(
            "postings",
            (|| {
                let mut stmt = self.0.prepare_cached(
                "SELECT t.story_id, t.weight FROM terms t JOIN story_vectors s ON s.story_id = t.story_id
                 WHERE t.term = ?1 AND s.published BETWEEN ?2 AND ?3
                 ORDER BY t.weight DESC LIMIT ?4",
            )?;
                let mut out = Vec::new();
                for (i, term) in terms.iter().enumerate() {
                    let rows =
                        stmt.query_map(params![term, from, to, limit_per_term as i64], |r| {
                            Ok(Posting {
                                story_id: r.get(0)?,
                                term: i,
                                weight: r.get::<_, f64>(1)? as f32,
                            })
                        })?;
                    for row in rows {
                        out.push(row?);
                    }
                }
                Ok(out)
            })(),
        )
    }

    fn doc_vectors(&self, ids: &[i64]) -> Vec<StoredDoc> {
        or_empty(
            "doc_vectors",
            (|| {
                let mut stmt =
                self.0.prepare_cached("SELECT story_id, source, published, vector FROM story_vectors WHERE story_id = ?1")?;
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let row = stmt
                        .query_row([id], |r| {
                            let blob: Vec<u8> = r.get(3)?;
                            Ok(StoredDoc {
                                story_id: r.get(0)?,
                                source: r.get(1)?,
                                published: r.get(2)?,
                                vector: decode_vector(&blob),
                            })
                        })
                        .optional()?;
                    out.extend(row);
                }
                Ok(out)
            })(),
        )
    }

    fn related_of(&self, story_id: i64) -> Vec<(i64, f32)> {
        or_empty(
            "related_of",
            (|| {
                let mut stmt = self.0.prepare_cached(
                    "SELECT other_id, score FROM related WHERE story_id = ?1 ORDER BY rank",
                )?;
                let rows =
                    stmt.query_map([story_id], |r| Ok((r.get(0)?, r.get::<_, f64>(1)? as f32)))?;
                rows.collect()
            })(),
        )
    }
}

/// A term vector as a BLOB: 12 bytes a term (i64 id, f32 weight, little-endian).
fn encode_vector(vector: &TermVector) -> Vec<u8> {
    let mut out = Vec::with_capacity(vector.terms.len() * 12);
    for (id, weight) in &vector.terms {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&weight.to_le_bytes());
    }
    out
}

fn decode_vector(blob: &[u8]) -> TermVector {
    let terms = blob
        .chunks_exact(12)
        .map(|c| {
            let id = TermId::from_le_bytes(c[..8].try_into().expect("8 bytes"));
            let weight = f32::from_le_bytes(c[8..].try_into().expect("4 bytes"));
            (id, weight)
        })
        .collect();
    TermVector { terms }
}

/// Records an article's band keys.
pub(super) fn insert_bands(
    conn: &Connection,
    article_id: i64,
    keys: &[i64],
) -> rusqlite::Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT INTO bands (band_key, article_id) VALUES (?1, ?2)")?;
    for key in keys {
        stmt.execute(params![key, article_id])?;
    }
    Ok(())
}

/// Adds a new story to the related index and applies the list changes linking it caused.
pub(super) fn insert_story_doc(
    conn: &Connection,
    doc: &NewDoc,
    update: &RelatedUpdate,
    now: i64,
) -> rusqlite::Result<()> {
    let vector = encode_vector(&doc.vector);
    conn.prepare_cached(
        "INSERT INTO story_vectors (story_id, source, published, vector) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![doc.story_id, doc.source, doc.published, vector])?;
    let mut term =
        conn.prepare_cached("INSERT INTO terms (term, story_id, weight) VALUES (?1, ?2, ?3)")?;
    let mut df = conn.prepare_cached("INSERT INTO term_df (term, df) VALUES (?1, 1) ON CONFLICT (term) DO UPDATE SET df = df + 1")?;
    for (t, weight) in &doc.vector.terms {
        term.execute(params![t, doc.story_id, f64::from(*weight)])?;
        df.execute([t])?;
    }
    write_related(conn, doc.story_id, &update.related)?;
    // An older story whose list gained the new one changed: its feed item shows new links.
    let mut touch =
        conn.prepare_cached("UPDATE stories SET updated = MAX(updated, ?2) WHERE id = ?1")?;
    for (story_id, list) in &update.updates {
        write_related(conn, *story_id, list)?;
        touch.execute(params![story_id, now])?;
    }
    Ok(())
}

/// Replaces a story's related list as a whole.
fn write_related(conn: &Connection, story_id: i64, list: &[(i64, f32)]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM related WHERE story_id = ?1")?
        .execute([story_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO related (story_id, rank, other_id, score) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (rank, (other, score)) in list.iter().enumerate() {
        insert.execute(params![story_id, rank as i64, other, f64::from(*score)])?;
    }
    Ok(())
}
