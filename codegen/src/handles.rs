//! `handles.rs`: the registry as types. One module per entity (`registry::tickets`) with its
//! `ENTITY` handle and one `Field` constant per field (`registry::tickets::TITLE`), so code
//! names entities and fields by constants the compiler checks instead of strings.
//!
//! The generated code is included at the top of the `autotask-mcp` crate's `registry` module
//! and refers to its `Entity` and `Field` handles: `Entity::at(i)` is `ENTITIES[i]` and
//! `ENTITY.field_at(j)` is that entity's `fields[j]`, both evaluated at compile time (an index
//! out of range fails the build). Names follow `crate::names`.

use heck::ToShoutySnakeCase;
use proc_macro2::Literal;
use quote::{format_ident, quote};

use crate::Result;
use crate::generate::{field_doc, render};
use crate::model::EntitySnapshot;
use crate::names;

/// The generated handles: a module per entity and, for the registry's tests, a table of every
/// module and constant with its name (`HANDLES`, compiled only under `cfg(test)`).
pub fn generate(entities: &[EntitySnapshot]) -> Result<String> {
    let modules = names::entity_modules(entities);
    let mut items = Vec::new();
    let mut table = Vec::new();
    for (index, (e, module)) in entities.iter().zip(&modules).enumerate() {
        let module_ident = format_ident!("{}", module);
        let constants = names::field_constants(&e.fields);
        let mut fields = Vec::new();
        let mut rows = Vec::new();
        for (position, (f, constant)) in e.fields.iter().zip(&constants).enumerate() {
            let ident = format_ident!("{}", constant);
            let position = Literal::usize_unsuffixed(position);
            let mut doc = field_doc(f);
            let natural = f.name.to_shouty_snake_case();
            if &natural != constant {
                doc.push_str(&format!(
                    " Named `{constant}`: `{natural}` is taken or not a Rust name."
                ));
            }
            fields.push(quote! {
                #[doc = #doc]
                pub const #ident: Field = ENTITY.field_at(#position);
            });
            rows.push(quote! { (#constant, #module_ident::#ident) });
        }
        let doc = format!(
            " `{}` (`/V1.0/{}`, one record is a `{}`): the entity and its {} fields as typed handles.",
            e.name,
            e.name,
            e.info.name,
            e.fields.len()
        );
        let entity_doc = format!(" The `{}` entity.", e.name);
        let index = Literal::usize_unsuffixed(index);
        items.push(quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = " Field constants are the API names in SCREAMING_SNAKE_CASE; see [`crate::registry`] for the rules."]
            pub mod #module_ident {
                use super::{Entity, Field};
                #[doc = #entity_doc]
                pub const ENTITY: Entity = Entity::at(#index);
                #(#fields)*
            }
        });
        table.push(quote! { (#module, #module_ident::ENTITY, &[#(#rows),*]) });
    }
    let tokens = quote! {
        #(#items)*
        /// Every entity module and field constant with its Rust name, in `ENTITIES` order, for
        /// the registry's tests.
        #[cfg(test)]
        pub(crate) const HANDLES: &[handles::ModuleConstants] = &[#(#table),*];
    };
    render(tokens, "handles")
}
