//! Searches for a piece of text anywhere in a row, answered by the trigram indexes of the
//! `large_lists` migration: on SQLite an FTS5 table of the row's texts and its organization
//! (`[id]`), on PostgreSQL `pg_trgm` GIN indexes on the lower-cased texts. Each text is an
//! SQL expression over the row (`migrations::search_text`), the same one the index holds.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, Statement,
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

pub(crate) fn indexed(text: &str) -> bool {
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
    for &(_, expression, text) in parts {
        let text = text.trim();
        if !text.is_empty() && (backend != DbBackend::Sqlite || !indexed(text)) {
            all = all.add(row_contains(backend, expression, text));
        }
    }
    match fts_query(backend, index, parts) {
        Some(query) => {
            let name = index.name;
            let found = Query::select()
                .column(Alias::new("rowid"))
                .from(Alias::new(name))
                .and_where(Expr::cust_with_values(format!("{name} MATCH ?"), [query]))
                .to_owned();
            all.add(id.in_subquery(found))
        }
        None => all,
    }
}

/// How many rows the FTS5 index finds for `matches`, counting no further than `cap + 1`
/// (`None`: it is not asked). Straight from the index: SQLite would first collect every
/// match of `id IN (…)` before counting a single row.
pub(crate) async fn count_in_index(
    db: &impl ConnectionTrait,
    index: &Index,
    parts: &[(&str, &str, &str)],
    cap: u64,
) -> Result<Option<u64>, DbErr> {
    let Some(query) = fts_query(db.get_database_backend(), index, parts) else {
        return Ok(None);
    };
    let name = index.name;
    let count = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!(
            "SELECT COUNT(*) AS counted FROM \
             (SELECT rowid FROM {name} WHERE {name} MATCH ? LIMIT {})",
            cap + 1
        ),
        [query.into()],
    );
    let counted = match db.query_one_raw(count).await? {
        Some(row) => row.try_get::<i64>("", "counted")?,
        None => 0,
    };
    Ok(Some(u64::try_from(counted).unwrap_or(0)))
}

/// The FTS5 query of the texts long enough for trigrams, within the organization (SQLite).
fn fts_query(backend: DbBackend, index: &Index, parts: &[(&str, &str, &str)]) -> Option<String> {
    if backend != DbBackend::Sqlite {
        return None;
    }
    let mut phrases: Vec<String> = parts
        .iter()
        .filter(|(_, _, text)| indexed(text))
        .map(|(column, _, text)| format!("{column} : {}", phrase(text.trim())))
        .collect();
    if phrases.is_empty() {
        return None;
    }
    if let Some(organization_id) = index.organization_id {
        phrases.insert(0, format!("organization : \"[{organization_id}]\""));
    }
    Some(phrases.join(" AND "))
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
