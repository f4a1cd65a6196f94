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
}
