//! A roster typed in Excel, read back the way the enrolment import reads it: written by the
//! worker's own writer, read by `read_first_sheet`, planned by the domain's roster rules.

use cunju_domain::export::{Cell, Sheet, Workbook};
use cunju_domain::training::roster::{SheetCell, plan_roster_sheet};
use cunju_export_worker::{
    ExportError, Reply, Request, handle, read_first_sheet, workbook_to_xlsx,
};

fn roster(rows: Vec<Vec<Cell>>) -> Vec<u8> {
    let book = Workbook {
        sheets: vec![Sheet {
            name: "学员名单".into(),
            columns: vec!["姓名".into(), "身份证号码".into()],
            rows,
            ..Sheet::default()
        }],
    };
    workbook_to_xlsx(&book).unwrap()
}

#[test]
fn the_first_sheet_comes_back_row_by_row_from_a1() {
    let bytes = roster(vec![
        vec![Cell::text("张三"), Cell::text("500199199001011232")],
        vec![Cell::Empty, Cell::Empty],
        vec![Cell::text("李四"), Cell::Int(500199198505051232)],
    ]);
    let rows = read_first_sheet(&bytes).unwrap();
    assert_eq!(
        rows[0],
        vec![
            SheetCell::Text("姓名".into()),
            SheetCell::Text("身份证号码".into())
        ]
    );
    assert_eq!(
        rows[1],
        vec![
            SheetCell::Text("张三".into()),
            SheetCell::Text("500199199001011232".into())
        ]
    );
    assert_eq!(
        rows[2],
        vec![],
        "an empty row stays a row, so line numbers hold"
    );
    assert!(matches!(rows[3][1], SheetCell::Number(_)));

    // The domain then refuses the number on the sheet's own row 4.
    let errors = plan_roster_sheet(&rows, &[], &[]).unwrap_err();
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 4]);
    assert!(errors[1].message_zh.contains("保存成了数字"));
}

#[test]
fn the_worker_answers_a_sheet_request_with_json_and_refuses_what_is_not_xlsx() {
    let bytes = roster(vec![vec![
        Cell::text("张三"),
        Cell::text("500199199001011232"),
    ]]);
    let Ok(Reply::Sheet(json)) = handle(Request::Sheet { bytes }) else {
        panic!("a sheet reply");
    };
    let rows: Vec<Vec<SheetCell>> = serde_json::from_str(&json).unwrap();
    assert_eq!(rows.len(), 2);
    let csv = "姓名,身份证号码\n张三,500199199001011232\n"
        .as_bytes()
        .to_vec();
    assert!(matches!(
        handle(Request::Sheet { bytes: csv }),
        Err(ExportError::NotXlsx(_))
    ));
}
