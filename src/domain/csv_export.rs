//! CSV for exports that administrators open in a spreadsheet. Mobile clients choose some of
//! the text (a `<Version>`, a device's platform): a cell such as `=cmd|' /C calc'!A0` would
//! run as a formula. OWASP's rule: every cell quoted, and a cell that begins with `=`, `+`,
//! `-`, `@`, a tab or a carriage return gets a leading `'`, which spreadsheets show as text.

use std::borrow::Cow;

/// The cell as a spreadsheet will show it, never run it.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV writer for exports: every cell quoted and neutralised.
pub struct ExportWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl ExportWriter {
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            writer: csv::WriterBuilder::new()
                .quote_style(csv::QuoteStyle::Always)
                .from_writer(Vec::with_capacity(bytes)),
        }
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<(), csv::Error> {
        self.writer
            .write_record(cells.into_iter().map(|cell| neutralise(cell).into_owned()))
    }

    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.writer.into_inner().map_err(|e| e.into_error().into())
    }
}

/// An export's file name: what it holds, whose, and when — `MobileUsers-Acme-Field-Service-2026-12-01.csv`.
/// Only ASCII letters and digits of the organization's name are kept (joined by `-`), so
/// the name is safe in any header, file system and mail attachment.
pub fn file_name(what: &str, organization: &str, day: chrono::NaiveDate) -> String {
    let words: Vec<String> = organization
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        format!("{what}-{day}.csv")
    } else {
        format!("{what}-{}-{day}.csv", words.join("-"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_prefixed_with_a_quote() {
        for cell in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=cmd|' /C calc'!A0",
        ] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        for cell in ["", "1.2.3", "Ada Lovelace", "a=b", " =x"] {
            assert_eq!(neutralise(cell), cell);
        }
    }

    #[test]
    fn every_cell_is_quoted_and_neutralised() {
        let mut writer = ExportWriter::with_capacity(64);
        writer.row(["id", "=HYPERLINK(\"x\")", ""]).unwrap();
        let text = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert_eq!(text, "\"id\",\"'=HYPERLINK(\"\"x\"\")\",\"\"\n");
    }

    #[test]
    fn file_names_say_what_whose_and_when() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            file_name("MobileUsers", "Acme Field Service", day),
            "MobileUsers-Acme-Field-Service-2026-12-01.csv"
        );
        assert_eq!(
            file_name("DeviceReport", "Sørensen & \"Co\"", day),
            "DeviceReport-S-rensen-Co-2026-12-01.csv"
        );
        assert_eq!(file_name("X", "ÄÖÜ", day), "X-2026-12-01.csv");
    }
}
