//! The word a result carries in its `"event"` key, written on encode and checked on decode.
//!
//! serde's `#[serde(tag = "…", rename = "…")]` on a struct writes the word but does not
//! check it when decoding: any object with the struct's fields would do. A result whose
//! word is a [`Tag`] field decodes only from its own word, so a reply of another kind fails
//! to decode and the core reports it as unexpected rather than typing it wrongly. The NoSIP
//! and VideoCall models use it too.

use std::fmt;
use std::marker::PhantomData;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A result type and the word that names it on the wire.
pub(crate) trait Word {
    /// The word, e.g. `registered`.
    const WORD: &'static str;
}

/// `W`'s word: encodes as the string [`Word::WORD`], and decodes from that string only.
pub(crate) struct Tag<W>(PhantomData<fn() -> W>);

impl<W> Tag<W> {
    /// The word (the only value there is).
    pub(crate) const fn new() -> Self {
        Tag(PhantomData)
    }
}

impl<W> Clone for Tag<W> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<W> Copy for Tag<W> {}

impl<W> PartialEq for Tag<W> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<W> Eq for Tag<W> {}

impl<W: Word> fmt::Debug for Tag<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", W::WORD)
    }
}

impl<W: Word> Serialize for Tag<W> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(W::WORD)
    }
}

impl<'de, W: Word> Deserialize<'de> for Tag<W> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let word = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        if word == W::WORD {
            Ok(Tag::new())
        } else {
            Err(D::Error::invalid_value(
                serde::de::Unexpected::Str(&word),
                &W::WORD,
            ))
        }
    }
}

/// Names result types: `words! { Registered = "registered", … }` implements [`Word`] for
/// each.
macro_rules! words {
    ($($ty:ty = $word:literal,)+) => {
        $(impl $crate::plugins::sip::tag::Word for $ty {
            const WORD: &'static str = $word;
        })+
    };
}

pub(crate) use words;

#[cfg(test)]
mod tests {
    use super::*;

    struct Ringing;

    impl Word for Ringing {
        const WORD: &'static str = "ringing";
    }

    #[test]
    fn a_tag_is_its_word_and_nothing_else() {
        let tag = Tag::<Ringing>::new();
        assert_eq!(
            serde_json::to_value(tag).ok(),
            Some(serde_json::json!("ringing"))
        );
        assert!(serde_json::from_value::<Tag<Ringing>>(serde_json::json!("ringing")).is_ok());
        assert!(serde_json::from_value::<Tag<Ringing>>(serde_json::json!("calling")).is_err());
        assert!(serde_json::from_value::<Tag<Ringing>>(serde_json::json!(1)).is_err());
        assert_eq!(format!("{tag:?}"), "\"ringing\"");
    }
}
