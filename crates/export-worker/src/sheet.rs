//! Reading a roster someone typed in Excel: the first worksheet of an `.xlsx` as cells, with
//! rows from row 1 and columns from column A (so the domain's line numbers are the sheet's row
//! numbers), for `cunju_domain::training::roster::plan_roster_sheet`.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use cunju_domain::training::roster::SheetCell;

use crate::ExportError;

/// Most rows read: a class roster is a few hundred people; a bigger sheet is the wrong file.
pub const MAX_ROWS: usize = 5_000;
/// Columns kept per row (the roster uses the first two).
const MAX_COLUMNS: usize = 10;

/// The first worksheet of `bytes` (an `.xlsx` file).
pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<Vec<SheetCell>>, ExportError> {
    let mut book =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ExportError::NotXlsx(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(ExportError::NoSheet)?
        .map_err(|e| ExportError::NotXlsx(e.to_string()))?;
    let Some((first_row, first_col)) = range.start() else {
        return Ok(vec![]);
    };
    let (first_row, first_col) = (first_row as usize, first_col as usize);
    if first_row + range.height() > MAX_ROWS {
        return Err(ExportError::TooManyRows(MAX_ROWS));
    }
    let mut rows = vec![vec![]; first_row];
    for r in range.rows() {
        let mut cells = vec![SheetCell::Empty; first_col.min(MAX_COLUMNS)];
        cells.extend(r.iter().map(cell));
        cells.truncate(MAX_COLUMNS);
        while cells.last() == Some(&SheetCell::Empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    Ok(rows)
}

fn cell(data: &Data) -> SheetCell {
    match data {
        Data::Empty => SheetCell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => SheetCell::Text(s.clone()),
        Data::Int(n) => SheetCell::Number(*n as f64),
        Data::Float(f) => SheetCell::Number(*f),
        Data::Bool(b) => SheetCell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(d) => SheetCell::Number(d.as_f64()),
        Data::Error(e) => SheetCell::Text(format!("#{e}")),
    }
}
