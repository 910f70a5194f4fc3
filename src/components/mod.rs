//! Small components shared by several screens.

pub mod online;
pub mod person_form;
pub mod sync_badge;
