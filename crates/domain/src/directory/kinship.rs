//! Close relatives (近亲属, Civil Code §1045): spouse, parents, children, siblings, grandparents
//! and grandchildren on both sides. Links are recorded one way (`RelativeLinked`); this module
//! adds the inverse of every link and derives the relations the links imply (a parent's parent
//! is a grandparent, two children of one parent are siblings), so avoidance rules
//! (近亲属回避) never depend on which side someone happened to record.

use std::collections::{BTreeMap, BTreeSet};

use crate::event::{Relation, Sex};
use crate::ids::EntityId;

/// The inverse of a relation: if B is A's `r`, then A is B's `inverse(r, sex of A)`.
/// (Parent and Child do not depend on sex; grandchildren do: a paternal grandparent's grandchild
/// is a 孙子女 through a son, a maternal one's a 外孙子女 through a daughter.)
pub fn inverse(relation: Relation) -> Relation {
    match relation {
        Relation::Spouse => Relation::Spouse,
        Relation::Parent => Relation::Child,
        Relation::Child => Relation::Parent,
        Relation::Sibling => Relation::Sibling,
        Relation::PaternalGrandparent => Relation::PaternalGrandchild,
        Relation::MaternalGrandparent => Relation::MaternalGrandchild,
        Relation::PaternalGrandchild => Relation::PaternalGrandparent,
        Relation::MaternalGrandchild => Relation::MaternalGrandparent,
    }
}

/// Everyone's recorded links, with their inverses, and the sexes needed to name grandparents.
#[derive(Debug, Clone, Default)]
pub struct Kinship {
    direct: BTreeMap<EntityId, BTreeMap<EntityId, Relation>>,
    sex: BTreeMap<EntityId, Sex>,
}

impl Kinship {
    /// `links` are `(person, other, relation)`: `other` is `person`'s `relation`.
    pub fn new(
        links: impl IntoIterator<Item = (EntityId, EntityId, Relation)>,
        sexes: impl IntoIterator<Item = (EntityId, Sex)>,
    ) -> Kinship {
        let mut kin = Kinship {
            direct: BTreeMap::new(),
            sex: sexes.into_iter().collect(),
        };
        for (person, other, relation) in links {
            if person == other {
                continue;
            }
            kin.direct
                .entry(person.clone())
                .or_default()
                .insert(other.clone(), relation);
            kin.direct
                .entry(other)
                .or_default()
                .insert(person, inverse(relation));
        }
        kin
    }

    fn with(&self, person: &EntityId, relation: Relation) -> impl Iterator<Item = &EntityId> {
        self.direct.get(person).into_iter().flat_map(move |m| {
            m.iter()
                .filter(move |(_, r)| **r == relation)
                .map(|(id, _)| id)
        })
    }

    /// How `other` is related to `person`, recorded or implied; `None` if not a close relative.
    pub fn relation(&self, person: &EntityId, other: &EntityId) -> Option<Relation> {
        if person == other {
            return None;
        }
        if let Some(r) = self.direct.get(person).and_then(|m| m.get(other)) {
            return Some(*r);
        }
        // A parent's parent is a grandparent: paternal through the father, maternal through the mother.
        for parent in self.with(person, Relation::Parent) {
            if self.with(parent, Relation::Parent).any(|g| g == other) {
                return Some(match self.sex.get(parent) {
                    Some(Sex::Female) => Relation::MaternalGrandparent,
                    _ => Relation::PaternalGrandparent,
                });
            }
        }
        // A child's child is a grandchild: 孙子女 through a son, 外孙子女 through a daughter.
        for child in self.with(person, Relation::Child) {
            if self.with(child, Relation::Child).any(|g| g == other) {
                return Some(match self.sex.get(child) {
                    Some(Sex::Female) => Relation::MaternalGrandchild,
                    _ => Relation::PaternalGrandchild,
                });
            }
        }
        // Siblings: anyone reachable through shared parents or recorded siblings.
        if self.siblings(person).contains(other) {
            return Some(Relation::Sibling);
        }
        None
    }

    /// Whether the two people are close relatives of each other.
    pub fn are_close_relatives(&self, a: &EntityId, b: &EntityId) -> bool {
        self.relation(a, b).is_some()
    }

    /// Every close relative of `person` that the links show or imply.
    pub fn close_relatives_of(&self, person: &EntityId) -> BTreeMap<EntityId, Relation> {
        let mut candidates: BTreeSet<&EntityId> = BTreeSet::new();
        for (id, _) in self.direct.get(person).into_iter().flatten() {
            candidates.insert(id);
            for (id2, _) in self.direct.get(id).into_iter().flatten() {
                candidates.insert(id2);
            }
        }
        let siblings = self.siblings(person);
        candidates.extend(siblings.iter());
        candidates
            .into_iter()
            .filter_map(|other| self.relation(person, other).map(|r| (other.clone(), r)))
            .collect()
    }

    /// Siblings: people sharing a parent, closed over recorded sibling links.
    fn siblings(&self, person: &EntityId) -> BTreeSet<EntityId> {
        let mut seen: BTreeSet<EntityId> = BTreeSet::from([person.clone()]);
        let mut queue = vec![person.clone()];
        while let Some(p) = queue.pop() {
            let mut next: Vec<EntityId> = self.with(&p, Relation::Sibling).cloned().collect();
            for parent in self.with(&p, Relation::Parent) {
                next.extend(self.with(parent, Relation::Child).cloned());
            }
            for n in next {
                if seen.insert(n.clone()) {
                    queue.push(n);
                }
            }
        }
        seen.remove(person);
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> EntityId {
        format!("person:{name}").parse().unwrap()
    }

    /// A family: grandpa (M) → father (M) → me, sister; grandma (F) → mother (F) → me;
    /// me married to spouse; me → son (M) → grandson; me → daughter (F) → granddaughter.
    fn family() -> Kinship {
        use Relation::*;
        let links = [
            ("me", "father", Parent),
            ("me", "mother", Parent),
            ("sister", "father", Parent),
            ("father", "grandpa", Parent),
            ("grandma", "mother", Child),
            ("spouse", "me", Spouse),
            ("me", "son", Child),
            ("daughter", "me", Parent),
            ("grandson", "son", Parent),
            ("daughter", "granddaughter", Child),
            ("sister", "brother", Sibling),
        ];
        let sexes = [
            ("father", Sex::Male),
            ("mother", Sex::Female),
            ("son", Sex::Male),
            ("daughter", Sex::Female),
        ];
        Kinship::new(
            links.into_iter().map(|(a, b, r)| (id(a), id(b), r)),
            sexes.into_iter().map(|(a, s)| (id(a), s)),
        )
    }

    #[test]
    fn every_link_holds_both_ways() {
        let k = family();
        assert_eq!(k.relation(&id("me"), &id("spouse")), Some(Relation::Spouse));
        assert_eq!(k.relation(&id("father"), &id("me")), Some(Relation::Child));
        assert_eq!(
            k.relation(&id("me"), &id("daughter")),
            Some(Relation::Child)
        );
        assert_eq!(
            k.relation(&id("mother"), &id("grandma")),
            Some(Relation::Parent)
        );
    }

    #[test]
    fn grandparents_are_named_by_the_side_they_come_through() {
        let k = family();
        assert_eq!(
            k.relation(&id("me"), &id("grandpa")),
            Some(Relation::PaternalGrandparent)
        );
        assert_eq!(
            k.relation(&id("me"), &id("grandma")),
            Some(Relation::MaternalGrandparent)
        );
        assert_eq!(
            k.relation(&id("grandpa"), &id("me")),
            Some(Relation::PaternalGrandchild)
        );
        assert_eq!(
            k.relation(&id("me"), &id("grandson")),
            Some(Relation::PaternalGrandchild)
        );
        assert_eq!(
            k.relation(&id("me"), &id("granddaughter")),
            Some(Relation::MaternalGrandchild)
        );
    }

    #[test]
    fn children_of_one_parent_are_siblings_and_siblings_close_over() {
        let k = family();
        assert_eq!(
            k.relation(&id("me"), &id("sister")),
            Some(Relation::Sibling)
        );
        assert_eq!(
            k.relation(&id("me"), &id("brother")),
            Some(Relation::Sibling),
            "sister's sibling is my sibling"
        );
        assert_eq!(
            k.relation(&id("son"), &id("daughter")),
            Some(Relation::Sibling)
        );
    }

    #[test]
    fn in_laws_cousins_and_great_grandparents_are_not_close_relatives() {
        let k = family();
        assert!(
            !k.are_close_relatives(&id("spouse"), &id("father")),
            "a parent-in-law is not a close relative"
        );
        assert!(!k.are_close_relatives(&id("spouse"), &id("sister")));
        assert!(
            !k.are_close_relatives(&id("grandpa"), &id("grandson")),
            "great-grandchildren are outside §1045"
        );
        assert!(!k.are_close_relatives(&id("me"), &id("me")));
        assert!(!k.are_close_relatives(&id("me"), &id("stranger")));
    }

    #[test]
    fn close_relatives_of_lists_recorded_and_implied_ones() {
        let k = family();
        let mine: Vec<String> = k
            .close_relatives_of(&id("me"))
            .keys()
            .map(|e| e.as_str().trim_start_matches("person:").to_string())
            .collect();
        assert_eq!(
            mine,
            [
                "brother",
                "daughter",
                "father",
                "granddaughter",
                "grandma",
                "grandpa",
                "grandson",
                "mother",
                "sister",
                "son",
                "spouse"
            ]
        );
    }
}
