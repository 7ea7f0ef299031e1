//! What a filter clause names and compares: the field (an entity field or a UDF by name) and
//! the value (a string, number or boolean).

use serde_json::{Number, Value};

/// What a clause reads: a field of the entity by name, or a user-defined field (`udf: true`)
/// by the UDF's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: String,
    pub udf: bool,
}

impl Field {
    /// A field of the entity.
    pub fn named(name: impl Into<String>) -> Field {
        Field {
            name: name.into(),
            udf: false,
        }
    }

    /// A user-defined field, by its name.
    pub fn udf(name: impl Into<String>) -> Field {
        Field {
            name: name.into(),
            udf: true,
        }
    }
}

impl From<&str> for Field {
    fn from(name: &str) -> Field {
        Field::named(name)
    }
}

impl From<String> for Field {
    fn from(name: String) -> Field {
        Field::named(name)
    }
}

impl From<&String> for Field {
    fn from(name: &String) -> Field {
        Field::named(name.clone())
    }
}

/// A value a clause compares with: a string, a number or a boolean (the swagger's `value`:
/// "an Integer, String, Boolean, an Array of Integers, or an Array of Strings").
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Number(Number),
    Text(String),
}

impl Scalar {
    /// A scalar from JSON; `None` for null, arrays and objects.
    pub fn from_value(value: &Value) -> Option<Scalar> {
        match value {
            Value::Bool(b) => Some(Scalar::Bool(*b)),
            Value::Number(n) => Some(Scalar::Number(n.clone())),
            Value::String(s) => Some(Scalar::Text(s.clone())),
            _ => None,
        }
    }

    /// A finite floating-point number (`None` for NaN and infinities, which JSON cannot hold).
    pub fn float(value: f64) -> Option<Scalar> {
        Number::from_f64(value).map(Scalar::Number)
    }

    /// The JSON value.
    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Number(n) => Value::Number(n.clone()),
            Scalar::Text(s) => Value::String(s.clone()),
        }
    }
}

impl From<bool> for Scalar {
    fn from(v: bool) -> Scalar {
        Scalar::Bool(v)
    }
}

macro_rules! scalar_from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Scalar {
            fn from(v: $t) -> Scalar {
                Scalar::Number(Number::from(v))
            }
        }
    )*};
}
scalar_from_integer!(i8, i16, i32, i64, u8, u16, u32, u64, isize, usize);

impl From<&str> for Scalar {
    fn from(v: &str) -> Scalar {
        Scalar::Text(v.to_string())
    }
}

impl From<String> for Scalar {
    fn from(v: String) -> Scalar {
        Scalar::Text(v)
    }
}

impl From<&String> for Scalar {
    fn from(v: &String) -> Scalar {
        Scalar::Text(v.clone())
    }
}
