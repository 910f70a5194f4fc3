//! Every string the app shows, in Chinese (first) and English.
//!
//! A screen never writes a literal: it asks [`I18n::t`] for a [`Msg`]. Adding a message means
//! adding one line to the table below, with both languages — the compiler checks the rest.

use cunju_domain::app_info::Module;
use leptos::prelude::*;

/// The languages of the UI. Chinese is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch button.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

macro_rules! messages {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// A message the UI can show.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::Zh) => $zh, (Msg::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

messages! {
    AppName => "村居台账", "Cunju";
    AppTagline => "村(居)委会工作离线台账", "Offline ledger for village and resident committees";
    SwitchLanguage => "English", "中文";
    Online => "在线", "Online";
    Offline => "离线", "Offline";
    OfflineHint => "当前离线：记录保存在本机，联网后自动同步。", "Offline: records are kept on this device and sync when a connection returns.";
    NavHome => "首页", "Home";
    HomeModulesHeading => "业务模块", "Modules";
    ModuleElections => "换届选举", "Committee elections";
    ModuleElectionsDesc => "村(居)委会换届选举程序、期限、证据与计票", "Election procedure, deadlines, evidence and tally";
    ModuleEligibility => "资格审查", "Candidate eligibility";
    ModuleEligibilityDesc => "候选人资格条件与县级联审", "Candidate conditions and the county joint review";
    ModuleAllowances => "社工津贴", "Social-work allowances";
    ModuleAllowancesDesc => "社会工作职业资格津贴与发放花名册", "Qualification allowances and the payment roster";
    ModuleTraining => "培训", "Training";
    ModuleTrainingDesc => "培训班、签到、学时与结业", "Classes, attendance, credited hours and completion";
    ModuleNotYetOpen => "建设中，尚未开放", "Being built, not open yet";
    NotFoundTitle => "找不到该页面", "Page not found";
    NotFoundBack => "返回首页", "Back to home";
    StorageReady => "本机存储已就绪", "On-device storage is ready";
    StorageFailed => "本机存储无法打开", "On-device storage could not be opened";
}

impl Msg {
    /// The name of one of the four modules.
    pub fn module_name(module: Module) -> Msg {
        match module {
            Module::Elections => Msg::ModuleElections,
            Module::Eligibility => Msg::ModuleEligibility,
            Module::Allowances => Msg::ModuleAllowances,
            Module::Training => Msg::ModuleTraining,
        }
    }

    /// The one-line description of one of the four modules.
    pub fn module_description(module: Module) -> Msg {
        match module {
            Module::Elections => Msg::ModuleElectionsDesc,
            Module::Eligibility => Msg::ModuleEligibilityDesc,
            Module::Allowances => Msg::ModuleAllowancesDesc,
            Module::Training => Msg::ModuleTrainingDesc,
        }
    }
}

const LANG_SETTING: &str = "cunju.lang";

/// The UI language, shared through context by [`provide_i18n`].
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// The text of `msg` in the current language (reactive when called inside a view).
    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang.get())
    }

    pub fn set_lang(&self, lang: Lang) {
        crate::platform::set_local_setting(LANG_SETTING, lang.tag());
        crate::platform::set_document_lang(lang.tag());
        self.lang.set(lang);
    }
}

/// Creates the language state (remembered choice, else Chinese) and puts it in context.
pub fn provide_i18n() -> I18n {
    let lang = crate::platform::local_setting(LANG_SETTING)
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or_default();
    crate::platform::set_document_lang(lang.tag());
    let i18n = I18n { lang: RwSignal::new(lang) };
    provide_context(i18n);
    i18n
}

/// The language state of the surrounding app.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn every_message_has_text_in_both_languages() {
        for msg in Msg::ALL {
            assert!(!msg.text(Lang::Zh).trim().is_empty(), "{msg:?} has no Chinese text");
            assert!(!msg.text(Lang::En).trim().is_empty(), "{msg:?} has no English text");
        }
    }

    #[wasm_bindgen_test]
    fn language_tags_round_trip() {
        for lang in [Lang::Zh, Lang::En] {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
