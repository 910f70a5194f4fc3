//! Small components shared by several screens.

pub mod evidence;
pub mod export_worker;
pub mod file_io;
pub mod online;
pub mod people_index;
pub mod person_form;
pub mod require_login;
pub mod sync_badge;
