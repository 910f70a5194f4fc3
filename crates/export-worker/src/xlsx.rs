//! A domain [`Workbook`] as an `.xlsx` file: one worksheet per sheet, the title lines merged
//! across the table (the first one large and bold), bold column headers with borders, the rows
//! with money as numbers in `0.00`, hours in `0.0` and dates as real dates, the footer lines
//! below, column widths from the content (Chinese characters count double), and print setup
//! (A4 landscape, one page wide, the header row repeated on every page).

use cunju_domain::export::{Cell, Sheet, Workbook};
use rust_xlsxwriter::{
    ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook as XlsxBook, Worksheet, XlsxError,
};
use thiserror::Error;

/// Why no file could be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExportError {
    /// The request could not be read (not a workbook, a frame of the wrong size).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A workbook without sheets (e.g. the attendance sheet of a session that does not exist).
    #[error("the workbook has no sheet")]
    NoSheet,
    /// A file to read is not an `.xlsx` workbook (or a damaged one).
    #[error("not an xlsx workbook: {0}")]
    NotXlsx(String),
    /// A sheet to read has more rows than a roster could.
    #[error("more than {0} rows")]
    TooManyRows(usize),
    /// The spreadsheet writer refused (a text longer than a cell holds, too many rows, …).
    #[error("xlsx writer: {0}")]
    Xlsx(String),
}

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// Excel's limit on a sheet name.
const SHEET_NAME_MAX: usize = 31;
/// Column widths are kept between these (in Excel's units, about one digit each).
const MIN_WIDTH: usize = 4;
const MAX_WIDTH: usize = 50;

/// The cell formats of one workbook.
struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    int: Format,
    money: Format,
    tenths: Format,
    date: Format,
    footer_text: Format,
    footer_money: Format,
    footer_int: Format,
    footer_tenths: Format,
    footer_date: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: Format::new().set_align(FormatAlign::Left),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(0xD9D9D9),
            text: cell.clone(),
            int: cell.clone().set_num_format("0"),
            money: cell.clone().set_num_format("0.00"),
            tenths: cell.clone().set_num_format("0.0"),
            date: cell.set_num_format("yyyy-mm-dd"),
            footer_text: Format::new().set_bold(),
            footer_money: Format::new().set_bold().set_num_format("0.00"),
            footer_int: Format::new().set_bold().set_num_format("0"),
            footer_tenths: Format::new().set_bold().set_num_format("0.0"),
            footer_date: Format::new().set_bold().set_num_format("yyyy-mm-dd"),
        }
    }
}

/// The workbook as the bytes of an `.xlsx` file.
pub fn workbook_to_xlsx(book: &Workbook) -> Result<Vec<u8>, ExportError> {
    if book.sheets.is_empty() {
        return Err(ExportError::NoSheet);
    }
    let formats = Formats::new();
    let mut xlsx = XlsxBook::new();
    let mut names: Vec<String> = Vec::new();
    for (n, sheet) in book.sheets.iter().enumerate() {
        let name = sheet_name(&sheet.name, n, &names);
        names.push(name.clone());
        let ws = xlsx.add_worksheet();
        ws.set_name(&name)?;
        write_sheet(ws, sheet, &formats)?;
    }
    Ok(xlsx.save_to_buffer()?)
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, f: &Formats) -> Result<(), ExportError> {
    let widest_row = sheet
        .rows
        .iter()
        .chain(&sheet.footer)
        .map(Vec::len)
        .max()
        .unwrap_or(0);
    let ncols = sheet.columns.len().max(widest_row).max(1);
    let last_col = col_num(ncols - 1)?;

    let mut row: u32 = 0;
    for (i, line) in sheet.title.iter().enumerate() {
        let format = if i == 0 { &f.title } else { &f.subtitle };
        if ncols > 1 {
            ws.merge_range(row, 0, row, last_col, line, format)?;
        } else {
            ws.write_string_with_format(row, 0, line, format)?;
        }
        if i == 0 {
            ws.set_row_height(row, 28)?;
        }
        row += 1;
    }

    let header_row = row;
    for (c, name) in sheet.columns.iter().enumerate() {
        ws.write_string_with_format(row, col_num(c)?, name, &f.header)?;
    }
    row += 1;

    for cells in &sheet.rows {
        for (c, cell) in cells.iter().enumerate() {
            let col = col_num(c)?;
            match cell {
                Cell::Empty => ws.write_blank(row, col, &f.text).map(|_| ())?,
                Cell::Text(s) => ws
                    .write_string_with_format(row, col, s, &f.text)
                    .map(|_| ())?,
                Cell::Int(n) => ws
                    .write_number_with_format(row, col, *n as f64, &f.int)
                    .map(|_| ())?,
                Cell::Tenths(t) => ws
                    .write_number_with_format(row, col, *t as f64 / 10.0, &f.tenths)
                    .map(|_| ())?,
                Cell::Money(fen) => ws
                    .write_number_with_format(row, col, fen.0 as f64 / 100.0, &f.money)
                    .map(|_| ())?,
                Cell::Date(d) => write_date(ws, row, col, *d, &f.date, &f.text)?,
            }
        }
        // A short row still gets the table's borders.
        for c in cells.len()..sheet.columns.len() {
            ws.write_blank(row, col_num(c)?, &f.text)?;
        }
        row += 1;
    }

    for cells in &sheet.footer {
        for (c, cell) in cells.iter().enumerate() {
            let col = col_num(c)?;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    ws.write_string_with_format(row, col, s, &f.footer_text)?;
                }
                Cell::Int(n) => {
                    ws.write_number_with_format(row, col, *n as f64, &f.footer_int)?;
                }
                Cell::Tenths(t) => {
                    ws.write_number_with_format(row, col, *t as f64 / 10.0, &f.footer_tenths)?;
                }
                Cell::Money(fen) => {
                    ws.write_number_with_format(row, col, fen.0 as f64 / 100.0, &f.footer_money)?;
                }
                Cell::Date(d) => write_date(ws, row, col, *d, &f.footer_date, &f.footer_text)?,
            }
        }
        row += 1;
    }

    for (c, width) in column_widths(sheet, ncols).into_iter().enumerate() {
        ws.set_column_width(col_num(c)?, width as f64)?;
    }
    if !sheet.columns.is_empty() {
        ws.set_freeze_panes(header_row + 1, 0)?;
        ws.set_repeat_rows(header_row, header_row)?;
    }
    ws.set_paper_size(9); // A4
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// A date as an Excel date; one Excel cannot hold (before 1900) as its text.
fn write_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: chrono::NaiveDate,
    format: &Format,
    text: &Format,
) -> Result<(), ExportError> {
    use chrono::Datelike;
    let excel = u16::try_from(d.year())
        .ok()
        .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
    match excel {
        Some(date) => ws.write_datetime_with_format(row, col, date, format)?,
        None => ws.write_string_with_format(row, col, Cell::Date(d).display(), text)?,
    };
    Ok(())
}

fn col_num(c: usize) -> Result<u16, ExportError> {
    u16::try_from(c).map_err(|_| ExportError::Xlsx(format!("column {c} is past Excel's last")))
}

/// How wide `s` prints, in Excel's units: a Chinese (full-width) character counts two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let wide = matches!(c as u32,
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// Each column as wide as its header and its cells (capped). A footer cell counts when it
/// cannot spill into the next cell: a number or date, or a text followed by another cell.
/// Title lines are merged across the table and do not count.
pub fn column_widths(sheet: &Sheet, ncols: usize) -> Vec<usize> {
    let mut widths = vec![MIN_WIDTH; ncols];
    let mut fit = |c: usize, w: usize| {
        if let Some(slot) = widths.get_mut(c) {
            *slot = (*slot).max((w + 2).min(MAX_WIDTH));
        }
    };
    for (c, name) in sheet.columns.iter().enumerate() {
        fit(c, display_width(name));
    }
    for cells in &sheet.rows {
        for (c, cell) in cells.iter().enumerate() {
            fit(c, display_width(&cell.display()));
        }
    }
    for cells in &sheet.footer {
        for (c, cell) in cells.iter().enumerate() {
            let boxed_in = cells.get(c + 1).is_some_and(|next| *next != Cell::Empty);
            if !matches!(cell, Cell::Text(_)) || boxed_in {
                fit(c, display_width(&cell.display()));
            }
        }
    }
    widths
}

/// A valid, unique worksheet name: Excel refuses `[]:*?/\`, more than 31 characters, a leading
/// or trailing apostrophe, and two sheets whose names differ only in case.
pub fn sheet_name(wanted: &str, index: usize, taken: &[String]) -> String {
    let cleaned: String = wanted
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim().to_string();
    let base = if cleaned.is_empty() {
        format!("Sheet{}", index + 1)
    } else {
        cleaned
    };
    let clash = |name: &str| {
        taken
            .iter()
            .any(|t| t.to_lowercase() == name.to_lowercase())
    };
    let cut = |s: &str, max: usize| s.chars().take(max).collect::<String>();
    let mut name = cut(&base, SHEET_NAME_MAX);
    let mut n = 2;
    while clash(&name) {
        let suffix = format!("({n})");
        name = format!(
            "{}{suffix}",
            cut(&base, SHEET_NAME_MAX - suffix.chars().count())
        );
        n += 1;
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_characters_count_double() {
        assert_eq!(display_width("序号"), 4);
        assert_eq!(display_width("3900.00"), 7);
        assert_eq!(display_width("合计（大写）"), 12);
    }

    #[test]
    fn sheet_names_are_cleaned_cut_and_unique() {
        assert_eq!(sheet_name("签到表 3/2", 0, &[]), "签到表 32");
        assert_eq!(sheet_name("  ", 1, &[]), "Sheet2");
        let long = "长".repeat(40);
        assert_eq!(sheet_name(&long, 0, &[]).chars().count(), 31);
        let taken = vec!["Roster".to_string()];
        assert_eq!(sheet_name("roster", 1, &taken), "roster(2)");
        let taken = vec![long.chars().take(31).collect::<String>()];
        let second = sheet_name(&long, 1, &taken);
        assert!(
            second.ends_with("(2)") && second.chars().count() == 31,
            "{second}"
        );
    }

    #[test]
    fn an_empty_workbook_is_refused() {
        assert_eq!(
            workbook_to_xlsx(&Workbook::default()),
            Err(ExportError::NoSheet)
        );
    }
}
