//! The exports as a spreadsheet program reads them: a real roster and a real attendance sheet,
//! computed by the domain, written by `workbook_to_xlsx`, read back with calamine (and the raw
//! parts of the zip for formats and widths).

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{NaiveDate, NaiveTime};
use cunju_domain::allowance::entitlement::{
    Adjustment, AdjustmentKind, Certificate, ContinuingEducation, Post, PostTerm, Qualification,
    Registration,
};
use cunju_domain::allowance::level::Level;
use cunju_domain::allowance::period::Period;
use cunju_domain::allowance::records::DistrictRates;
use cunju_domain::allowance::roster::{Disclosure, Payee, PaymentMarker, Roster, RosterHeader};
use cunju_domain::allowance::sheet::{COLUMNS, TITLE, roster_workbook};
use cunju_domain::directory::person::{IdNumber, check_digit};
use cunju_domain::event::Sex;
use cunju_domain::export::{Cell, Sheet, Workbook};
use cunju_domain::money::Fen;
use cunju_domain::training::events::{ClassDoc, ClassFile, SessionDoc};
use cunju_domain::training::hours::{HoursRules, StudyHours};
use cunju_domain::training::report::attendance_sheet;
use cunju_domain::training::{Presence, SignInMethod};
use cunju_export_worker::{ExportError, Reply, Request, handle, workbook_to_xlsx};
use serde_json::json;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn id_number(serial: u32) -> IdNumber {
    let first17 = format!("50990119850315{serial:03}");
    let check = check_digit(first17.as_bytes().try_into().unwrap());
    IdNumber::parse(&format!("{first17}{check}"), d(2025, 1, 1)).unwrap()
}

const VILLAGE: &str = "5099001001";

/// A worker of 青石村 with one level since `on` (certificate and registration the same day),
/// enough continuing education, and a bank card.
fn payee(n: u32, name: &str, level: Level, on: NaiveDate) -> Payee {
    let mut q = Qualification::new(format!("person:w{n}").parse().unwrap());
    q.posts.push(PostTerm {
        unit: VILLAGE.parse().unwrap(),
        post: Post::CommunityStaff,
        appointed_on: d(2019, 3, 1),
        left: None,
    });
    q.approved_on = Some(d(2019, 4, 1));
    q.certificates.push(Certificate {
        level,
        number: format!("ZS-{n:04}"),
        obtained_on: on,
        revoked_on: None,
    });
    q.registrations
        .push(Registration::first(level, &format!("DJ-{n:04}"), on, 3));
    q.continuing_education.push(ContinuingEducation {
        on: d(2023, 12, 1),
        hours: StudyHours::hours(100),
        what: "继续教育".into(),
    });
    Payee {
        name: name.into(),
        sex: if n.is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        },
        id_number: id_number(n),
        community: "青石村".into(),
        bank_card: Some(format!("62220200{:08}", 1000 + n)),
        payment: PaymentMarker::BankTransfer,
        remarks: String::new(),
        qualification: q,
    }
}

/// Five workers paid for 2024-01 … 2024-03 at the built-in rates, one with a 补发 of 100.00:
/// 社会工作师 900 + 100 and 900, 高级 1500, 助理 600 and 600 — 4600.00 in all.
fn roster() -> Roster {
    let mut payees = vec![
        payee(1, "张秀英", Level::SwIntermediate, d(2022, 6, 1)),
        payee(2, "李建国", Level::SwIntermediate, d(2022, 7, 1)),
        payee(3, "王芳", Level::SwSenior, d(2023, 5, 20)),
        payee(4, "刘洋", Level::SwAssistant, d(2022, 9, 1)),
        payee(5, "陈静", Level::SwAssistant, d(2023, 1, 10)),
    ];
    payees[0].qualification.adjustments.push(Adjustment {
        pay_month: "2024-02".parse().unwrap(),
        kind: AdjustmentKind::BackPay,
        amount: Fen::yuan(100),
        reason: "上季度漏发".into(),
        reference: "会议纪要".into(),
    });
    let header = RosterHeader {
        unit: VILLAGE.parse().unwrap(),
        unit_name: "青石村".into(),
        period: Period::new("2024-01".parse().unwrap(), "2024-03".parse().unwrap()).unwrap(),
        prepared_by: "赵制表".into(),
        reviewed_by: None,
        unit_head: Some("王主任".into()),
        sealed: false,
        date: d(2024, 4, 5),
    };
    Roster::draft(header, &payees, &DistrictRates::default().policy()).unwrap()
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx calamine can open")
}

/// One part of the xlsx zip as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn text(v: Option<&Data>) -> String {
    match v {
        Some(Data::String(s)) => s.clone(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn number(v: Option<&Data>) -> f64 {
    match v {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(n)) => *n as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

#[test]
fn roster_xlsx_has_the_title_headers_rows_and_totals() {
    let roster = roster();
    assert_eq!(roster.rows.len(), 5);
    assert_eq!(roster.footer.total, Fen::yuan(4600));
    let bytes = workbook_to_xlsx(&roster_workbook(&roster, Disclosure::Masked)).unwrap();
    assert_eq!(&bytes[..2], b"PK");

    let mut book = open(&bytes);
    assert_eq!(book.sheet_names(), vec!["发放花名册".to_string()]);
    let range = book.worksheet_range("发放花名册").unwrap();
    let at = |r: u32, c: u32| range.get_value((r, c));

    // Three title lines, merged across the 20 columns.
    assert_eq!(text(at(0, 0)), TITLE);
    assert!(
        text(at(1, 0)).contains("发放期间：2024-01 至 2024-03"),
        "{:?}",
        at(1, 0)
    );
    assert!(text(at(2, 0)).contains("单位负责人：王主任"));
    let merged = book.merge_cells_by_sheet_name("发放花名册").unwrap();
    assert!(
        merged
            .iter()
            .any(|m| m.start == (0, 0) && m.end == (0, COLUMNS.len() as u32 - 1)),
        "{merged:?}"
    );

    // The column headers, then one line per worker.
    for (c, name) in COLUMNS.iter().enumerate() {
        assert_eq!(text(at(3, c as u32)), *name);
    }
    let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap() as u32;
    let names: Vec<String> = (4..9).map(|r| text(at(r, col("姓名")))).collect();
    assert_eq!(names, ["张秀英", "李建国", "王芳", "刘洋", "陈静"]);
    assert_eq!(number(at(4, col("序号"))), 1.0);
    // Masked on this export: 5099**********xxxx.
    let id = text(at(4, col("身份证号码")));
    assert!(id.starts_with("5099") && id.contains("****"), "{id}");
    assert_eq!(number(at(4, col("月标准"))), 300.0);
    assert_eq!(number(at(4, col("计发月数"))), 3.0);
    assert_eq!(number(at(4, col("应发金额"))), 900.0);
    assert_eq!(text(at(4, col("补发/扣回"))), "+100.00 上季度漏发");
    assert_eq!(number(at(4, col("实发金额"))), 1000.0);
    assert_eq!(number(at(6, col("月标准"))), 500.0);
    let nets: f64 = (4..9).map(|r| number(at(r, col("实发金额")))).sum();
    assert_eq!(nets, 4600.0);
    // A date is a date (a serial number with a date format), not text.
    match at(4, col("取得证书日期")) {
        Some(Data::DateTime(dt)) => {
            // Excel counts days from 1899-12-30.
            let day = roster.rows[0].certificate.as_ref().unwrap().1;
            assert_eq!(dt.as_f64(), (day - d(1899, 12, 30)).num_days() as f64);
        }
        other => panic!("expected a date, got {other:?}"),
    }

    // The footer: per level (highest first), the grand total in figures and in capital numerals.
    let footer: Vec<(String, String, Option<f64>)> = (9..14)
        .map(|r| {
            let amount = match at(r, 2) {
                Some(Data::Float(f)) => Some(*f),
                _ => None,
            };
            (text(at(r, 0)), text(at(r, 1)), amount)
        })
        .collect();
    assert_eq!(
        footer,
        vec![
            ("高级社会工作师".into(), "1人".into(), Some(1500.0)),
            ("社会工作师".into(), "2人".into(), Some(1900.0)),
            ("助理社会工作师".into(), "2人".into(), Some(1200.0)),
            ("合计（小写）".into(), "5人".into(), Some(4600.0)),
            ("合计（大写）".into(), "肆仟陆佰元整".into(), None),
        ]
    );
    assert_eq!(roster.footer.total_capital, "肆仟陆佰元整");
    assert!(text(at(14, 0)).starts_with("制表人签字"));

    // Money is shown with two decimals, hours with one, dates as yyyy-mm-dd; the header row is
    // frozen and repeated on every printed page; the ID column is wide enough for 18 characters.
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="0.00""#), "{styles}");
    assert!(
        styles.contains(r#"formatCode="yyyy\-mm\-dd""#)
            || styles.contains(r#"formatCode="yyyy-mm-dd""#),
        "{styles}"
    );
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pane ySplit="4""#),
        "frozen below the header"
    );
    assert!(sheet.contains("<v>4600</v>"), "the grand total is a number");
    let id_col = col("身份证号码") + 1;
    let width = sheet
        .split("<col ")
        .skip(1)
        .find(|c| c.contains(&format!(r#"min="{id_col}""#)))
        .and_then(|c| c.split(r#"width=""#).nth(1))
        .and_then(|w| w.split('"').next())
        .and_then(|w| w.parse::<f64>().ok())
        .expect("a width for the ID column");
    assert!((20.0..=30.0).contains(&width), "ID column width {width}");
    let names_xml = part(&bytes, "xl/workbook.xml");
    assert!(names_xml.contains("_xlnm.Print_Titles"), "{names_xml}");
}

#[test]
fn finance_export_has_full_numbers() {
    let roster = roster();
    let bytes = workbook_to_xlsx(&roster_workbook(&roster, Disclosure::Full)).unwrap();
    let mut book = open(&bytes);
    let range = book.worksheet_range("发放花名册").unwrap();
    let col = |name: &str| COLUMNS.iter().position(|c| *c == name).unwrap() as u32;
    assert_eq!(
        text(range.get_value((4, col("身份证号码")))),
        id_number(1).as_str()
    );
    assert_eq!(
        text(range.get_value((4, col("银行卡/社保卡号")))),
        "6222020000001001"
    );
}

/// A class with `n` trainees and one session: the first half signed in, every tenth on approved
/// leave, the rest absent.
fn class_file(n: usize) -> ClassFile {
    let class_id = "training_class:c1".parse().unwrap();
    let doc = ClassDoc {
        class: Some(
            serde_json::from_value(json!({
                "owner": "t1", "plan": null, "name": "社区工作者轮训班",
                "organiser": "演示区社会工作部", "organiser_code": "YS", "contractor": null,
                "target_group": "community_workers", "topics": [], "year": 2026, "seq": 1,
                "assessment": "not_required"
            }))
            .expect("a ClassRecorded"),
        ),
        trainees: (1..=n)
            .map(|i| {
                serde_json::from_value(json!({
                    "person": format!("person:p{i}"), "name": format!("学员{i}"),
                    "id_masked": "5099**********0011", "unit": VILLAGE
                }))
                .unwrap()
            })
            .collect(),
        certificates: vec![],
        ..ClassDoc::default()
    };
    let mut session = SessionDoc {
        session: Some(
            serde_json::from_value(json!({
                "owner": "t1", "class": "training_class:c1", "date": "2026-03-02", "slot": "am",
                "starts_at": "09:00:00", "ends_at": "12:00:00", "venue": {"site": "党校"},
                "instructor": "王老师", "planned": StudyHours::hours(4)
            }))
            .expect("a SessionScheduled"),
        ),
        ..SessionDoc::default()
    };
    for i in 1..=n {
        let mark = if i.is_multiple_of(10) {
            Presence::Leave {
                approved_by: Some("t1".parse().unwrap()),
                reason: "病假".into(),
            }
        } else if i <= n / 2 {
            Presence::Present {
                signed_in: NaiveTime::from_hms_opt(8, 50, 0).unwrap(),
                signed_out: None,
                method: SignInMethod::Qr,
            }
        } else {
            continue;
        };
        session
            .marks
            .insert(format!("person:p{i}").parse().unwrap(), vec![mark]);
    }
    ClassFile::new(
        &class_id,
        &doc,
        &[("training_session:s1".parse().unwrap(), session)],
    )
    .unwrap()
}

#[test]
fn attendance_sheet_xlsx_lists_every_trainee_with_hours() {
    let book = attendance_sheet(&class_file(200), 0, &HoursRules::default());
    let started = std::time::Instant::now();
    let bytes = workbook_to_xlsx(&book).unwrap();
    println!(
        "200-row attendance sheet: {} bytes in {:?} (native test build)",
        bytes.len(),
        started.elapsed()
    );
    let mut x = open(&bytes);
    let range = x.worksheet_range("签到表").unwrap();
    let at = |r: u32, c: u32| range.get_value((r, c));
    assert_eq!(text(at(0, 0)), "社区工作者轮训班 签到表");
    assert!(text(at(1, 0)).starts_with("2026-03-02 上午 09:00–12:00"));
    assert_eq!(text(at(2, 1)), "姓名");
    assert_eq!(text(at(3, 1)), "学员1");
    assert_eq!(text(at(3, 4)), "08:50");
    assert_eq!(number(at(3, 6)), 4.0, "4 hours credited, as a number");
    assert_eq!(text(at(12, 5)), "请假（已批准）", "trainee 10");
    assert_eq!(number(at(12, 6)), 0.0);
    assert_eq!(text(at(202, 1)), "学员200");
    assert_eq!(text(at(202, 5)), "请假（已批准）");
    assert_eq!(text(at(201, 5)), "缺勤");
    // 100 signed in, of whom 10 on leave later (every tenth), 20 on leave in all.
    assert_eq!(text(at(203, 0)), "应到200人，实到90人，请假20人");
    let credited: f64 = (3..203).map(|r| number(at(r, 6))).sum();
    assert_eq!(credited, 90.0 * 4.0);
    assert!(part(&bytes, "xl/styles.xml").contains(r#"formatCode="0.0""#));
}

#[test]
fn several_sheets_become_several_worksheets_with_valid_names() {
    let sheet = |name: &str, v: i64| Sheet {
        name: name.into(),
        title: vec![],
        columns: vec!["数".into()],
        rows: vec![vec![Cell::Int(v)]],
        footer: vec![],
    };
    let book = Workbook {
        sheets: vec![sheet("甲/乙", 1), sheet("甲乙", 2), sheet("", 3)],
    };
    let bytes = workbook_to_xlsx(&book).unwrap();
    let mut x = open(&bytes);
    assert_eq!(x.sheet_names(), vec!["甲乙", "甲乙(2)", "Sheet3"]);
    let r = x.worksheet_range("甲乙(2)").unwrap();
    assert_eq!(number(r.get_value((1, 0))), 2.0);
}

#[test]
fn formula_like_text_stays_text() {
    let book = Workbook {
        sheets: vec![Sheet {
            name: "x".into(),
            title: vec![],
            columns: vec!["备注".into()],
            rows: vec![vec![Cell::text("=HYPERLINK(\"http://x\")")]],
            footer: vec![],
        }],
    };
    let bytes = workbook_to_xlsx(&book).unwrap();
    assert!(!part(&bytes, "xl/worksheets/sheet1.xml").contains("<f>"));
    let mut x = open(&bytes);
    let r = x.worksheet_range("x").unwrap();
    assert_eq!(text(r.get_value((1, 0))), "=HYPERLINK(\"http://x\")");
}

#[test]
fn the_message_handler_reads_json_and_refuses_garbage() {
    let book = roster_workbook(&roster(), Disclosure::Masked);
    let reply = handle(Request::Xlsx {
        workbook: serde_json::to_string(&book).unwrap(),
    })
    .unwrap();
    let Reply::Xlsx(bytes) = reply else {
        panic!("an xlsx reply")
    };
    let mut x = open(&bytes);
    let r = x.worksheet_range("发放花名册").unwrap();
    assert_eq!(text(r.get_value((0, 0))), TITLE);
    assert!(matches!(
        handle(Request::Xlsx {
            workbook: "{\"sheets\": 3}".into()
        }),
        Err(ExportError::BadRequest(_))
    ));
    assert!(matches!(
        handle(Request::Xlsx {
            workbook: "{\"sheets\": []}".into()
        }),
        Err(ExportError::NoSheet)
    ));
}
