//! The form that records a person (人员登记). What was typed is turned into a `PersonRecorded`
//! draft by [`prepare`], which only calls the domain's checks (identity number and its check
//! digit, birth date and sex against the number, unit within scope, permission); nothing is
//! written unless every field passes.

use chrono::NaiveDate;
use cunju_domain::authz;
use cunju_domain::directory::person::{
    DuplicateIdNumber, IdNumber, IdNumberError, PersonMismatch, check_against_id,
    find_duplicate_in_unit,
};
use cunju_domain::event::{EntityKind, EventBody, NewEvent, Sex};
use cunju_domain::ids::{EntityId, EventId, UnitId};
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Lang, Msg, use_i18n};
use crate::platform;
use crate::store;
use crate::sync::use_sync;

/// The form's fields as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonInput {
    pub name: String,
    /// `"male"`, `"female"` or empty (not chosen).
    pub sex: String,
    pub ethnicity: String,
    pub id_number: String,
    /// `YYYY-MM-DD` (an `<input type="date">`), or empty to take it from the identity number.
    pub birth_date: String,
    pub phone: String,
    pub unit: String,
}

/// A field of the form, for placing an error next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Sex,
    Ethnicity,
    IdNumber,
    BirthDate,
    Unit,
    /// The form as a whole.
    Form,
}

/// Why a field is not acceptable.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    Required,
    UnitInvalid,
    UnitOutOfScope,
    BirthDate,
    IdNumber(IdNumberError),
    Mismatch(PersonMismatch),
    NotPermitted,
    /// Someone in the unit already has this identity number.
    Duplicate(DuplicateIdNumber),
    /// The domain refused the draft (a rule without a field of its own).
    Body(String),
}

impl FieldError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (FieldError::Required, _) => Msg::ErrRequired.text(lang).into(),
            (FieldError::UnitInvalid, _) => Msg::ErrUnitInvalid.text(lang).into(),
            (FieldError::UnitOutOfScope, _) => Msg::ErrUnitOutOfScope.text(lang).into(),
            (FieldError::BirthDate, _) => Msg::ErrBirthDate.text(lang).into(),
            (FieldError::NotPermitted, _) => Msg::PeopleNotPermitted.text(lang).into(),
            (FieldError::IdNumber(e), Lang::Zh) => e.message_zh(),
            (FieldError::IdNumber(e), Lang::En) => capitalise(&e.to_string()),
            (FieldError::Mismatch(e), Lang::Zh) => e.message_zh(),
            (FieldError::Mismatch(e), Lang::En) => capitalise(&e.to_string()),
            (FieldError::Duplicate(d), Lang::Zh) => d.message_zh(),
            (FieldError::Duplicate(d), Lang::En) => d.message_en(),
            (FieldError::Body(detail), _) => format!("{}（{detail}）", Msg::ErrForm.text(lang)),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub type FieldErrors = Vec<(Field, FieldError)>;

/// Checks what was typed and makes the `PersonRecorded` draft for a new person `entity`, or
/// says what is wrong with each field.
pub fn prepare(
    input: &PersonInput,
    profile: &Profile,
    entity: EntityId,
    today: NaiveDate,
) -> Result<NewEvent, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut required = |field: Field, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            errors.push((field, FieldError::Required));
        }
        text.to_string()
    };
    let name = required(Field::Name, &input.name);
    let ethnicity = required(Field::Ethnicity, &input.ethnicity);
    let id_text = required(Field::IdNumber, &input.id_number);
    let unit_text = required(Field::Unit, &input.unit);
    let sex = match input.sex.as_str() {
        "male" => Some(Sex::Male),
        "female" => Some(Sex::Female),
        _ => {
            errors.push((Field::Sex, FieldError::Required));
            None
        }
    };
    let typed_birth = match input.birth_date.trim() {
        "" => None,
        text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.push((Field::BirthDate, FieldError::BirthDate));
                None
            }
        },
    };
    let id = if id_text.is_empty() {
        None
    } else {
        match IdNumber::parse(&id_text, today) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push((Field::IdNumber, FieldError::IdNumber(e)));
                None
            }
        }
    };
    if let Some(id) = &id
        && let Err(mismatch) = check_against_id(id, typed_birth, sex)
    {
        let field = match mismatch {
            PersonMismatch::BirthDate { .. } => Field::BirthDate,
            PersonMismatch::Sex => Field::Sex,
        };
        errors.push((field, FieldError::Mismatch(mismatch)));
    }
    let unit = if unit_text.is_empty() {
        None
    } else {
        match unit_text.parse::<UnitId>() {
            Ok(unit) if unit.is_within(&profile.scope) => Some(unit),
            Ok(_) => {
                errors.push((Field::Unit, FieldError::UnitOutOfScope));
                None
            }
            Err(_) => {
                errors.push((Field::Unit, FieldError::UnitInvalid));
                None
            }
        }
    };
    let (Some(id), Some(sex), Some(unit)) = (id, sex, unit) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let phone = input.phone.trim();
    let draft = NewEvent {
        actor: profile.user.clone(),
        unit,
        entity,
        body: EventBody::PersonRecorded {
            name,
            sex,
            ethnicity,
            birth_date: typed_birth.unwrap_or_else(|| id.birth_date()),
            id_number: id.as_str().to_string(),
            phone: (!phone.is_empty()).then(|| phone.to_string()),
        },
    };
    if !authz::can_write_event(profile.role, &draft.body) {
        return Err(vec![(Field::Form, FieldError::NotPermitted)]);
    }
    draft
        .validate()
        .map_err(|e| vec![(Field::Form, FieldError::Body(e.0))])?;
    Ok(draft)
}

/// A fresh id for a person recorded on this device.
pub fn new_person_id() -> EntityId {
    EntityId::new(
        EntityKind::Person.as_str(),
        EventId::new(platform::now_ms(), platform::random_bytes()),
    )
}

/// Appends the person unless the unit already has someone with the same identity number.
async fn save(draft: NewEvent) -> Result<Result<(), DuplicateIdNumber>, store::StoreError> {
    let store = store::shared().await?;
    if let EventBody::PersonRecorded { id_number, .. } = &draft.body
        && let Ok(id) = IdNumber::try_from(id_number.clone())
    {
        let in_unit: Vec<_> = store
            .query(EntityKind::Person, &draft.unit)
            .await?
            .into_iter()
            .filter(|p| p.unit == draft.unit)
            .collect();
        let people = in_unit.iter().map(|p| {
            let text = |field: &str| p.doc.get(field).and_then(|v| v.as_str()).unwrap_or("");
            (&p.id, text("id_number"), text("name"))
        });
        if let Some(duplicate) = find_duplicate_in_unit(&id, &draft.entity, people) {
            return Ok(Err(duplicate));
        }
    }
    store.append(draft).await.map(|_| Ok(()))
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The form. Saving appends one `PersonRecorded` event; it says "saved" only after the
/// transaction committed.
#[component]
pub fn PersonForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let input = RwSignal::new(PersonInput {
        ethnicity: "汉族".into(),
        unit: profile.scope.to_string(),
        ..PersonInput::default()
    });
    let errors = RwSignal::new(FieldErrors::new());
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let store_error = RwSignal::new(None::<store::StoreError>);
    let scope = profile.scope.to_string();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        saved.set(false);
        store_error.set(None);
        let draft = match prepare(&input.get_untracked(), &profile, new_person_id(), today()) {
            Ok(draft) => draft,
            Err(found) => {
                errors.set(found);
                return;
            }
        };
        errors.set(FieldErrors::new());
        saving.set(true);
        spawn_local(async move {
            let result = save(draft).await;
            saving.set(false);
            match result {
                Ok(Err(duplicate)) => {
                    errors.set(vec![(Field::IdNumber, FieldError::Duplicate(duplicate))]);
                }
                Ok(Ok(())) => {
                    input.update(|i| {
                        *i = PersonInput {
                            ethnicity: i.ethnicity.clone(),
                            unit: i.unit.clone(),
                            ..PersonInput::default()
                        }
                    });
                    saved.set(true);
                    sync.after_local_change();
                }
                Err(err) => store_error.set(Some(err)),
            }
        });
    };

    let unit_name = move || {
        let typed = input.with(|i| i.unit.trim().to_string());
        sync.units.with(|units| {
            units
                .iter()
                .find(|u| u.code.as_str() == typed)
                .map(|u| u.name.clone())
        })
    };

    let error_for = move |field: Field| {
        errors.with(|list| {
            list.iter()
                .find(|(f, _)| *f == field)
                .map(|(_, e)| e.message(i18n.lang()))
        })
    };

    view! {
        <form class="card form person-form" data-testid="person-form" on:submit=submit novalidate>
            <h2>{move || i18n.t(Msg::PeopleFormHeading)}</h2>
            <TextField label=Msg::FieldName testid="person-name" autocomplete="name"
                value=Signal::derive(move || input.with(|i| i.name.clone()))
                on_input=move |v| input.update(|i| i.name = v)
                error=Signal::derive(move || error_for(Field::Name))/>
            <label class="field">
                <span>{move || i18n.t(Msg::FieldSex)}</span>
                <select data-testid="person-sex"
                    prop:value=move || input.with(|i| i.sex.clone())
                    on:change=move |ev| input.update(|i| i.sex = event_target_value(&ev))
                    class:invalid=move || error_for(Field::Sex).is_some()>
                    <option value="">"—"</option>
                    <option value="male">{move || i18n.t(Msg::SexMale)}</option>
                    <option value="female">{move || i18n.t(Msg::SexFemale)}</option>
                </select>
                <FieldMessage error=Signal::derive(move || error_for(Field::Sex)) testid="person-sex-error"/>
            </label>
            <TextField label=Msg::FieldEthnicity testid="person-ethnicity" autocomplete="off"
                value=Signal::derive(move || input.with(|i| i.ethnicity.clone()))
                on_input=move |v| input.update(|i| i.ethnicity = v)
                error=Signal::derive(move || error_for(Field::Ethnicity))/>
            <TextField label=Msg::FieldIdNumber testid="person-id-number" autocomplete="off"
                value=Signal::derive(move || input.with(|i| i.id_number.clone()))
                on_input=move |v| input.update(|i| i.id_number = v)
                error=Signal::derive(move || error_for(Field::IdNumber))/>
            <label class="field">
                <span>{move || i18n.t(Msg::FieldBirthDate)}</span>
                <input type="date" data-testid="person-birth-date"
                    prop:value=move || input.with(|i| i.birth_date.clone())
                    on:input=move |ev| input.update(|i| i.birth_date = event_target_value(&ev))
                    class:invalid=move || error_for(Field::BirthDate).is_some()/>
                <FieldMessage error=Signal::derive(move || error_for(Field::BirthDate)) testid="person-birth-date-error"/>
            </label>
            <label class="field">
                <span>{move || i18n.t(Msg::FieldPhone)}</span>
                <input type="tel" inputmode="tel" autocomplete="tel" data-testid="person-phone"
                    prop:value=move || input.with(|i| i.phone.clone())
                    on:input=move |ev| input.update(|i| i.phone = event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(Msg::FieldUnit)}</span>
                <input type="text" inputmode="numeric" autocomplete="off" data-testid="person-unit"
                    list="person-unit-options"
                    prop:value=move || input.with(|i| i.unit.clone())
                    on:input=move |ev| input.update(|i| i.unit = event_target_value(&ev))
                    class:invalid=move || error_for(Field::Unit).is_some()/>
                // The cached unit tree, when there is one: choose instead of typing ten digits.
                <datalist id="person-unit-options">
                    <For each=move || sync.units.get() key=|unit| unit.code.clone() let:unit>
                        <option value=unit.code.to_string()>{unit.name.clone()}</option>
                    </For>
                </datalist>
                <small class="hint" data-testid="person-unit-name">{unit_name}</small>
                <small class="hint">{move || i18n.t(Msg::FieldUnitHint)}" "{scope.clone()}</small>
                <FieldMessage error=Signal::derive(move || error_for(Field::Unit)) testid="person-unit-error"/>
            </label>
            <Show when=move || !errors.with(Vec::is_empty)>
                <p class="form-error" role="alert" data-testid="person-form-error">
                    {move || error_for(Field::Form).unwrap_or_else(|| i18n.t(Msg::ErrForm).to_string())}
                </p>
            </Show>
            <Show when=move || store_error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="person-store-error">
                    {move || store_error.with(|e| e.as_ref().map(|e| e.message(i18n.lang())))}
                </p>
            </Show>
            <Show when=move || saved.get()>
                <p class="form-ok" role="status" data-testid="person-saved">{move || i18n.t(Msg::SavedOnDevice)}</p>
            </Show>
            <button type="submit" class="wide" data-testid="person-submit" disabled=move || saving.get()>
                {move || if saving.get() { i18n.t(Msg::Saving) } else { i18n.t(Msg::SaveOnDevice) }}
            </button>
        </form>
    }
}

/// A labelled text input with its error underneath.
#[component]
fn TextField(
    label: Msg,
    testid: &'static str,
    autocomplete: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: impl Fn(String) + 'static,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span>{move || i18n.t(label)}</span>
            <input type="text" data-testid=testid autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |ev| on_input(event_target_value(&ev))
                class:invalid=move || error.with(Option::is_some)
                aria-invalid=move || error.with(Option::is_some).to_string()/>
            <FieldMessage error testid=format!("{testid}-error")/>
        </label>
    }
}

#[component]
fn FieldMessage(
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] testid: String,
) -> impl IntoView {
    view! {
        <small class="field-error" data-testid=testid role="alert" hidden=move || error.with(Option::is_none)>
            {move || error.get()}
        </small>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cunju_domain::authz::Role;
    use cunju_domain::directory::person::check_digit;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn profile(role: Role) -> Profile {
        Profile {
            user: "u-village".parse().unwrap(),
            display_name: "李村干".into(),
            role,
            scope: "509901001".parse().unwrap(),
            department: None,
        }
    }

    /// A valid number for a man born on 1990-01-01.
    fn id_number() -> String {
        let first17 = *b"50010119900101123";
        format!(
            "{}{}",
            std::str::from_utf8(&first17).unwrap(),
            check_digit(&first17)
        )
    }

    fn input() -> PersonInput {
        PersonInput {
            name: " 张三 ".into(),
            sex: "male".into(),
            ethnicity: "汉族".into(),
            id_number: id_number(),
            birth_date: String::new(),
            phone: String::new(),
            unit: "509901001".into(),
        }
    }

    fn entity() -> EntityId {
        EntityId::new("person", EventId::new(1, [1; 10]))
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn fields(result: Result<NewEvent, FieldErrors>) -> Vec<Field> {
        result.unwrap_err().into_iter().map(|(f, _)| f).collect()
    }

    #[wasm_bindgen_test]
    fn a_complete_form_makes_a_person_recorded_draft() {
        let draft = prepare(&input(), &profile(Role::VillageOfficial), entity(), day()).unwrap();
        assert_eq!(draft.unit.as_str(), "509901001");
        match draft.body {
            EventBody::PersonRecorded {
                name,
                birth_date,
                phone,
                ..
            } => {
                assert_eq!(name, "张三");
                assert_eq!(
                    birth_date,
                    NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
                    "taken from the ID number"
                );
                assert_eq!(phone, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[wasm_bindgen_test]
    fn empty_fields_are_each_reported() {
        let result = prepare(
            &PersonInput::default(),
            &profile(Role::VillageOfficial),
            entity(),
            day(),
        );
        let found = fields(result);
        for field in [
            Field::Name,
            Field::Sex,
            Field::Ethnicity,
            Field::IdNumber,
            Field::Unit,
        ] {
            assert!(found.contains(&field), "{field:?} missing from {found:?}");
        }
    }

    #[wasm_bindgen_test]
    fn a_wrong_check_digit_is_explained_in_chinese() {
        let mut bad = input();
        bad.id_number.replace_range(
            17..,
            if bad.id_number.ends_with('0') {
                "1"
            } else {
                "0"
            },
        );
        let errors = prepare(&bad, &profile(Role::VillageOfficial), entity(), day()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, Field::IdNumber);
        assert!(
            errors[0].1.message(Lang::Zh).contains("校验位"),
            "{:?}",
            errors[0].1.message(Lang::Zh)
        );
    }

    #[wasm_bindgen_test]
    fn sex_and_birth_date_must_agree_with_the_id_number() {
        let mut other = input();
        other.sex = "female".into();
        other.birth_date = "1991-02-03".into();
        let found = fields(prepare(
            &other,
            &profile(Role::VillageOfficial),
            entity(),
            day(),
        ));
        assert!(
            found.contains(&Field::Sex) || found.contains(&Field::BirthDate),
            "{found:?}"
        );
    }

    #[wasm_bindgen_test]
    fn a_unit_outside_the_scope_is_refused() {
        let mut other = input();
        other.unit = "509902001".into();
        let errors = prepare(&other, &profile(Role::VillageOfficial), entity(), day()).unwrap_err();
        assert_eq!(errors, vec![(Field::Unit, FieldError::UnitOutOfScope)]);
        other.unit = "50-99".into();
        let errors = prepare(&other, &profile(Role::VillageOfficial), entity(), day()).unwrap_err();
        assert_eq!(errors, vec![(Field::Unit, FieldError::UnitInvalid)]);
    }

    #[wasm_bindgen_test]
    fn a_role_that_may_not_record_people_gets_no_draft() {
        let errors = prepare(&input(), &profile(Role::CityViewer), entity(), day()).unwrap_err();
        assert_eq!(errors, vec![(Field::Form, FieldError::NotPermitted)]);
    }
}
