//! Searches for a piece of text anywhere in a row, answered by the trigram indexes of the
//! `large_lists` migration: on SQLite an FTS5 table of the row's texts and its organization
//! (`[id]`), on PostgreSQL `pg_trgm` GIN indexes on the lower-cased texts. Each text is an
//! SQL expression over the row (`migrations::search_text`), the same one the index holds.

use sea_orm::{
    ColumnTrait, Condition, DbBackend,
    sea_query::{Alias, Expr, Query, SimpleExpr},
};

/// The SQLite FTS5 table of a searched table, and whose rows to look among.
pub(crate) struct Index {
    pub name: &'static str,
    /// `None`: every organization's.
    pub organization_id: Option<i64>,
}

/// Trigrams need three characters: shorter text is looked for in the rows themselves.
const SHORTEST_INDEXED: usize = 3;

/// Whether `matches` looks into an FTS5 index (SQLite, and a text long enough).
pub(crate) fn uses_index(backend: DbBackend, texts: &[&str]) -> bool {
    backend == DbBackend::Sqlite && texts.iter().any(|text| indexed(text))
}

fn indexed(text: &str) -> bool {
    text.trim().chars().count() >= SHORTEST_INDEXED
}

/// Rows whose every `(index column, expression, text)` contains its text, ignoring case:
/// on SQLite `id IN (SELECT rowid … MATCH …)` for texts of three characters or more and a
/// test of the row for shorter ones; on PostgreSQL the tests, which its planner answers
/// from the GIN indexes.
pub(crate) fn matches(
    backend: DbBackend,
    index: &Index,
    id: impl ColumnTrait,
    parts: &[(&str, &str, &str)],
) -> Condition {
    let mut all = Condition::all();
    let mut phrases = Vec::new();
    for &(column, expression, text) in parts {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if backend == DbBackend::Sqlite && indexed(text) {
            phrases.push(format!("{column} : {}", phrase(text)));
        } else {
            all = all.add(row_contains(backend, expression, text));
        }
    }
    if phrases.is_empty() {
        return all;
    }
    if let Some(organization_id) = index.organization_id {
        phrases.insert(0, format!("organization : \"[{organization_id}]\""));
    }
    let name = index.name;
    let found = Query::select()
        .column(Alias::new("rowid"))
        .from(Alias::new(name))
        .and_where(Expr::cust_with_values(
            format!("{name} MATCH ?"),
            [phrases.join(" AND ")],
        ))
        .to_owned();
    all.add(id.in_subquery(found))
}

/// The row's `expression` contains `text`, ignoring case, tested on the row (no index).
pub(crate) fn row_contains(backend: DbBackend, expression: &str, text: &str) -> SimpleExpr {
    let expression = Expr::cust(format!("({expression})"));
    if backend == DbBackend::Postgres && text.chars().count() < SHORTEST_INDEXED {
        // strpos, so that a reused (generic) plan does not walk the whole trigram index
        // for text the index cannot narrow down.
        return Expr::cust_with_exprs(
            "strpos(lower($1), $2) > 0",
            [expression, Expr::val(text.to_lowercase())],
        );
    }
    super::contains_ci_on(backend, expression, text)
}

/// An FTS5 phrase: the text as typed, quotes doubled.
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_keep_the_text_as_typed() {
        assert_eq!(phrase(r#"say "hi" now"#), r#""say ""hi"" now""#);
    }
}
