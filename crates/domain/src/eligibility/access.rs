//! Who may read and write which eligibility event, beyond the role table in `authz::permits`:
//! a joint-review department user (联审部门) belongs to one department and reads and writes only
//! that department's answers; HIT details (`ReviewAnswered`) go to district admins and the
//! department that wrote them; a village device receives verdict codes only (§2.4).

use serde::{Deserialize, Serialize};

use super::rule::Department;
use crate::authz::{Action, Role, permits};
use crate::event::EventBody;
use crate::sync::Profile;

/// The department an event speaks for, if it is a department's answer or sign-off.
pub fn department_of(body: &EventBody) -> Option<Department> {
    match body {
        EventBody::ReviewAnswered(a) => Some(a.department),
        EventBody::ReviewSignedOff(s) => Some(s.department),
        _ => None,
    }
}

/// A department user acts only for their own department; other roles are judged by the table.
fn own_department(profile: &Profile, department: Department) -> bool {
    profile.role != Role::ReviewDepartment || profile.department == Some(department)
}

/// The finer read check for an eligibility event (scope and `ReadEvent` already passed):
/// each body goes only to the roles that may see what it carries.
pub fn may_read(profile: &Profile, body: &EventBody) -> bool {
    let role = profile.role;
    match body {
        EventBody::RulePackCloned(_) | EventBody::RulePackChanged(_) => {
            permits(role, Action::ReadRulePack)
        }
        EventBody::ReviewBatchCompiled(_) | EventBody::ReviewBatchSent(_) => {
            permits(role, Action::ReadReviewBatch)
        }
        EventBody::ReviewAnswered(a) => {
            permits(role, Action::ReadHitDetails) && own_department(profile, a.department)
        }
        EventBody::ReviewSignedOff(s) => {
            permits(role, Action::ReadReviewResults) && own_department(profile, s.department)
        }
        EventBody::WarnDecided(_) => permits(role, Action::ReadWarnDecisions),
        EventBody::VerdictsIssued(_) => permits(role, Action::ReadVerdictCodes),
        _ => true,
    }
}

/// The finer write check: a department user writes only for their own department, and a
/// decision is signed by whoever records it.
pub fn may_write(profile: &Profile, body: &EventBody) -> bool {
    match body {
        EventBody::ReviewAnswered(_) | EventBody::ReviewSignedOff(_) => {
            department_of(body).is_some_and(|d| profile.department == Some(d))
        }
        EventBody::WarnDecided(d) => d.decided_by == profile.user,
        _ => true,
    }
}

/// Why an account's department does not fit its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DepartmentError {
    #[error("only a joint-review department user (review_department) belongs to a department")]
    NotAReviewDepartment,
    #[error("unknown department {0:?}; departments: {1}")]
    Unknown(String, String),
}

impl DepartmentError {
    pub fn message_zh(&self) -> String {
        match self {
            DepartmentError::NotAReviewDepartment => {
                "只有联审部门账号(review_department)才能指定所属部门".into()
            }
            DepartmentError::Unknown(name, all) => {
                format!("没有名为“{name}”的部门；可选部门：{all}")
            }
        }
    }
}

/// Checks an account's department against its role.
pub fn check_department(role: Role, department: Option<Department>) -> Result<(), DepartmentError> {
    match department {
        Some(_) if role != Role::ReviewDepartment => Err(DepartmentError::NotAReviewDepartment),
        _ => Ok(()),
    }
}

impl Department {
    /// The stable snake_case name (`public_security`), as stored and typed on the command line.
    pub fn code(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Reads a department's snake_case name.
    pub fn parse_code(name: &str) -> Result<Department, DepartmentError> {
        Department::ALL
            .into_iter()
            .find(|d| d.code() == name.trim())
            .ok_or_else(|| {
                let all: Vec<String> = Department::ALL.iter().map(|d| d.code()).collect();
                DepartmentError::Unknown(name.into(), all.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::authorize_event;
    use crate::eligibility::events::tests::{answers, decision, sign_off};
    use crate::event::{DeviceLog, Event, NewEvent};
    use crate::sync::RejectReason;

    fn profile(role: Role, department: Option<Department>, user: &str) -> Profile {
        Profile {
            user: user.parse().unwrap(),
            display_name: "x".into(),
            role,
            scope: "5001".parse().unwrap(),
            department,
        }
    }

    fn event(actor: &str, body: EventBody) -> Event {
        DeviceLog::new("d1".parse().unwrap()).append(
            NewEvent {
                actor: actor.parse().unwrap(),
                unit: "5001001001".parse().unwrap(),
                entity: "review_batch:01ARZ3NDEKTSV4RRFFQ69G5FAV".parse().unwrap(),
                body,
            },
            1_750_000_000_000,
            [0; 10],
        )
    }

    #[test]
    fn a_department_answers_for_itself_only() {
        let court = profile(Role::ReviewDepartment, Some(Department::Court), "c");
        let police = profile(
            Role::ReviewDepartment,
            Some(Department::PublicSecurity),
            "c",
        );
        let nobody = profile(Role::ReviewDepartment, None, "c");
        for body in [
            EventBody::ReviewAnswered(answers()),
            EventBody::ReviewSignedOff(sign_off()),
        ] {
            let ev = event("c", body);
            assert_eq!(authorize_event(&court, &ev), Ok(()));
            assert_eq!(
                authorize_event(&police, &ev),
                Err(RejectReason::NotPermitted)
            );
            assert_eq!(
                authorize_event(&nobody, &ev),
                Err(RejectReason::NotPermitted)
            );
            let admin = profile(Role::DistrictAdmin, None, "c");
            assert_eq!(
                authorize_event(&admin, &ev),
                Err(RejectReason::NotPermitted)
            );
        }
    }

    #[test]
    fn hit_details_go_to_district_admins_and_the_writing_department_only() {
        let body = EventBody::ReviewAnswered(answers());
        let readers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|&r| may_read(&profile(r, Some(Department::Court), "u"), &body))
            .collect();
        assert_eq!(readers, [Role::DistrictAdmin, Role::ReviewDepartment]);
        let police = profile(
            Role::ReviewDepartment,
            Some(Department::PublicSecurity),
            "u",
        );
        assert!(!may_read(&police, &body));
        let village = profile(Role::VillageOfficial, None, "u");
        assert!(!may_read(&village, &EventBody::ReviewSignedOff(sign_off())));
        assert!(!may_read(&village, &EventBody::WarnDecided(decision())));
    }

    #[test]
    fn a_decision_is_signed_by_whoever_records_it() {
        let sup = profile(Role::TownshipSupervisor, None, "supervisor-1");
        assert_eq!(
            authorize_event(
                &sup,
                &event("supervisor-1", EventBody::WarnDecided(decision()))
            ),
            Ok(())
        );
        let other = profile(Role::TownshipSupervisor, None, "someone");
        let mut d = decision();
        d.decided_by = "someone-else".parse().unwrap();
        assert_eq!(
            authorize_event(&other, &event("someone", EventBody::WarnDecided(d))),
            Err(RejectReason::NotPermitted)
        );
    }

    #[test]
    fn only_department_users_have_a_department() {
        assert!(check_department(Role::ReviewDepartment, Some(Department::Court)).is_ok());
        assert!(check_department(Role::ReviewDepartment, None).is_ok());
        assert_eq!(
            check_department(Role::VillageOfficial, Some(Department::Court)),
            Err(DepartmentError::NotAReviewDepartment)
        );
        assert_eq!(
            Department::parse_code("public_security"),
            Ok(Department::PublicSecurity)
        );
        assert!(Department::parse_code("police").is_err());
        for d in Department::ALL {
            assert_eq!(Department::parse_code(&d.code()), Ok(d));
        }
    }
}
