//! Who may do what (domain-spec §6.2): the roles, the actions they may take, and the check the
//! server runs on every pushed event. Scope (which subtree) is checked with `UnitId::is_within`;
//! the app uses the same table only to hide what a user may not do.

use serde::{Deserialize, Serialize};

use crate::event::{EntityKind, Event, EventBody};
use crate::sync::{Profile, RejectReason};

/// A user's role. Its scope is the `Profile::scope` subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 村/社区干部 — own unit.
    VillageOfficial,
    /// 乡镇/街道指导组 (包村干部) — units of the township.
    TownshipSupervisor,
    /// 乡镇/街道审核人员 (finance or social-work desk) — the township.
    TownshipReviewer,
    /// 区县管理员 (民政局 / 社会工作部) — the district.
    DistrictAdmin,
    /// 联审部门 — the district, joint-review batches only.
    ReviewDepartment,
    /// 培训组织者 — classes they own.
    Trainer,
    /// 市级查看 — the city, aggregates only.
    CityViewer,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::VillageOfficial,
        Role::TownshipSupervisor,
        Role::TownshipReviewer,
        Role::DistrictAdmin,
        Role::ReviewDepartment,
        Role::Trainer,
        Role::CityViewer,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::VillageOfficial => "村/社区干部",
            Role::TownshipSupervisor => "乡镇/街道指导组",
            Role::TownshipReviewer => "乡镇/街道审核人员",
            Role::DistrictAdmin => "区县管理员",
            Role::ReviewDepartment => "联审部门",
            Role::Trainer => "培训组织者",
            Role::CityViewer => "市级查看",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::VillageOfficial => "Village/community official",
            Role::TownshipSupervisor => "Township supervisor",
            Role::TownshipReviewer => "Township reviewer",
            Role::DistrictAdmin => "District administrator",
            Role::ReviewDepartment => "Joint-review department",
            Role::Trainer => "Trainer",
            Role::CityViewer => "City viewer",
        }
    }
}

/// Something a user may want to do. Modules add their own actions here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 查看名录 — units and persons, with personal data.
    ReadDirectory,
    /// 登记/更正名录 — record units and persons, correct them, link relatives.
    EditDirectory,
    /// 查看统计 — counts and rates, no personal data.
    ReadAggregates,
    /// 管理账号
    ManageAccounts,
    /// 添加备注 — a note on any record the user can see.
    AddNote,
    /// Write an event about an entity of this kind.
    RecordEvent(EntityKind),
}

impl Action {
    /// The action an event body performs; `None` for kinds this build does not know.
    pub fn for_body(body: &EventBody) -> Option<Action> {
        match body {
            EventBody::Note { .. } => Some(Action::AddNote),
            EventBody::Unknown(_) => None,
            known => known.entity_kind().map(Action::RecordEvent),
        }
    }
}

/// The permission table: may `role` take `action` (within its scope)?
pub fn permits(role: Role, action: Action) -> bool {
    use Role::*;
    match action {
        Action::ReadDirectory => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin
        ),
        Action::EditDirectory => matches!(role, VillageOfficial | DistrictAdmin),
        Action::ReadAggregates => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin | CityViewer
        ),
        Action::ManageAccounts => matches!(role, DistrictAdmin),
        Action::AddNote => matches!(
            role,
            VillageOfficial | TownshipSupervisor | TownshipReviewer | DistrictAdmin
        ),
        Action::RecordEvent(EntityKind::Unit | EntityKind::Person) => {
            permits(role, Action::EditDirectory)
        }
    }
}

/// May `role` write an event with this body (scope aside)? Unknown kinds: never.
pub fn can_write_event(role: Role, body: &EventBody) -> bool {
    Action::for_body(body).is_some_and(|action| permits(role, action))
}

/// The server's permission check for a pushed event, against the profile of the user pushing it:
/// the event must be that user's own (`actor`), of a kind their role may write
/// (else `NotPermitted`), in a unit within their scope (else `OutOfScope`).
pub fn authorize_event(profile: &Profile, ev: &Event) -> Result<(), RejectReason> {
    if ev.actor != profile.user || !can_write_event(profile.role, &ev.body) {
        return Err(RejectReason::NotPermitted);
    }
    if !ev.unit.is_within(&profile.scope) {
        return Err(RejectReason::OutOfScope);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::tests::NOW;
    use crate::event::{DeviceLog, NewEvent, Relation, Sex};
    use Role::*;
    use chrono::NaiveDate;

    const VILLAGE: &str = "5001001001";
    const OTHER_VILLAGE: &str = "5001002001";
    const TOWNSHIP: &str = "5001001";
    const DISTRICT: &str = "5001";
    const CITY: &str = "50";

    fn profile(role: Role, scope: &str) -> Profile {
        Profile {
            user: "u1".parse().unwrap(),
            display_name: "测试".into(),
            role,
            scope: scope.parse().unwrap(),
        }
    }

    fn event(unit: &str, entity: &str, body: EventBody) -> Event {
        let mut log = DeviceLog::new("d1".parse().unwrap());
        log.append(
            NewEvent {
                actor: "u1".parse().unwrap(),
                unit: unit.parse().unwrap(),
                entity: entity.parse().unwrap(),
                body,
            },
            NOW,
            [0; 10],
        )
    }

    fn person_recorded(unit: &str) -> Event {
        event(
            unit,
            "person:p1",
            EventBody::PersonRecorded {
                name: "王五".into(),
                sex: Sex::Female,
                ethnicity: "土家族".into(),
                id_number: "500101199001011234".into(),
                birth_date: NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                phone: None,
            },
        )
    }

    #[test]
    fn permission_table_for_every_role() {
        // (role, read directory, edit directory, aggregates, accounts, note)
        let table = [
            (VillageOfficial, true, true, true, false, true),
            (TownshipSupervisor, true, false, true, false, true),
            (TownshipReviewer, true, false, true, false, true),
            (DistrictAdmin, true, true, true, true, true),
            (ReviewDepartment, false, false, false, false, false),
            (Trainer, false, false, false, false, false),
            (CityViewer, false, false, true, false, false),
        ];
        assert_eq!(table.len(), Role::ALL.len());
        for (role, read, edit, aggregates, accounts, note) in table {
            assert_eq!(
                permits(role, Action::ReadDirectory),
                read,
                "{role:?} read directory"
            );
            assert_eq!(
                permits(role, Action::EditDirectory),
                edit,
                "{role:?} edit directory"
            );
            assert_eq!(
                permits(role, Action::ReadAggregates),
                aggregates,
                "{role:?} aggregates"
            );
            assert_eq!(
                permits(role, Action::ManageAccounts),
                accounts,
                "{role:?} accounts"
            );
            assert_eq!(permits(role, Action::AddNote), note, "{role:?} note");
            for kind in EntityKind::ALL {
                assert_eq!(
                    permits(role, Action::RecordEvent(kind)),
                    edit,
                    "{role:?} {kind:?}"
                );
            }
        }
    }

    #[test]
    fn village_official_records_people_in_own_unit_only() {
        let me = profile(VillageOfficial, VILLAGE);
        assert_eq!(authorize_event(&me, &person_recorded(VILLAGE)), Ok(()));
        assert_eq!(
            authorize_event(&me, &person_recorded("500100100101")),
            Ok(()),
            "own group"
        );
        assert_eq!(
            authorize_event(&me, &person_recorded(OTHER_VILLAGE)),
            Err(RejectReason::OutOfScope)
        );
        assert_eq!(
            authorize_event(&me, &person_recorded(TOWNSHIP)),
            Err(RejectReason::OutOfScope),
            "the parent township is not within the village"
        );
    }

    #[test]
    fn district_admin_edits_anywhere_in_the_district() {
        let admin = profile(DistrictAdmin, DISTRICT);
        assert_eq!(authorize_event(&admin, &person_recorded(VILLAGE)), Ok(()));
        assert_eq!(
            authorize_event(&admin, &person_recorded(OTHER_VILLAGE)),
            Ok(())
        );
        assert_eq!(
            authorize_event(&admin, &person_recorded("5002001001")),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn readers_may_not_edit_the_directory_even_in_scope() {
        for (role, scope) in [
            (TownshipSupervisor, TOWNSHIP),
            (TownshipReviewer, TOWNSHIP),
            (ReviewDepartment, DISTRICT),
            (Trainer, DISTRICT),
            (CityViewer, CITY),
        ] {
            let user = profile(role, scope);
            assert_eq!(
                authorize_event(&user, &person_recorded(VILLAGE)),
                Err(RejectReason::NotPermitted),
                "{role:?}"
            );
        }
    }

    #[test]
    fn a_forbidden_kind_is_not_permitted_rather_than_out_of_scope() {
        let viewer = profile(CityViewer, CITY);
        assert_eq!(
            authorize_event(&viewer, &person_recorded("5101001001")),
            Err(RejectReason::NotPermitted)
        );
    }

    #[test]
    fn supervisors_may_add_notes_in_their_township() {
        let sup = profile(TownshipSupervisor, TOWNSHIP);
        let note = |unit| {
            event(
                unit,
                "person:p1",
                EventBody::Note {
                    text: "已走访".into(),
                },
            )
        };
        assert_eq!(authorize_event(&sup, &note(VILLAGE)), Ok(()));
        assert_eq!(
            authorize_event(&sup, &note("5001002001")),
            Err(RejectReason::OutOfScope)
        );
    }

    #[test]
    fn every_directory_kind_needs_edit_directory() {
        let link = event(
            VILLAGE,
            "person:p1",
            EventBody::RelativeLinked {
                other: "person:p2".parse().unwrap(),
                relation: Relation::Child,
            },
        );
        assert!(can_write_event(VillageOfficial, &link.body));
        assert!(!can_write_event(TownshipSupervisor, &link.body));
    }

    #[test]
    fn unknown_kinds_are_never_writable() {
        let body = EventBody::Unknown(serde_json::json!({"kind": "future", "v": 1, "data": {}}));
        for role in Role::ALL {
            assert!(!can_write_event(role, &body), "{role:?}");
        }
    }

    #[test]
    fn events_written_as_someone_else_are_not_permitted() {
        let mut other = profile(DistrictAdmin, DISTRICT);
        other.user = "u2".parse().unwrap();
        assert_eq!(
            authorize_event(&other, &person_recorded(VILLAGE)),
            Err(RejectReason::NotPermitted)
        );
    }

    #[test]
    fn role_names_on_the_wire_are_snake_case() {
        assert_eq!(
            serde_json::to_value(VillageOfficial).unwrap(),
            "village_official"
        );
        assert_eq!(
            serde_json::to_value(ReviewDepartment).unwrap(),
            "review_department"
        );
        assert_eq!(
            serde_json::from_value::<Role>("city_viewer".into()).unwrap(),
            CityViewer
        );
    }
}
