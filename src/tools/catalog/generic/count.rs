//! `count-entity`: how many records match a query, and with `groupBy` how many per value
//! ([`super::grouped`]); child lists are counted by listing them.

use serde_json::{Value, json};

use super::args::CountArgs;
use super::grouped;
use super::read::{ReadPlan, read_plan, root_filter};
use super::target::about;
use crate::autotask::ReadIntent;
use crate::tools::call::context::Context;
use crate::tools::spec::error::ToolError;

pub async fn count_entity(ctx: &Context, a: CountArgs) -> Result<Value, ToolError> {
    match read_plan(&a.target())? {
        ReadPlan::Root { entity: e, extra } => {
            let field = match &a.group_by {
                Some(name) => Some(grouped::group_field(e, name).map_err(about("groupBy"))?),
                None => None,
            };
            let checked = root_filter(ctx, e, &a.query, extra).await?;
            let count = ctx
                .tenant
                .client
                .count(
                    e.name,
                    &json!({"filter": checked.filter}),
                    ReadIntent::Explicit,
                )
                .await?;
            let mut out = json!({"entity": e.name, "count": count});
            if let Some(field) = field {
                let groups = grouped::counts(ctx, e, field, &checked.filter, count).await?;
                if let (Value::Object(out), Value::Object(groups)) = (&mut out, groups) {
                    out.extend(groups);
                }
            }
            out["filter"] = json!(checked.filter);
            Ok(out)
        }
        ReadPlan::ChildList { entity: e, path } => {
            if a.group_by.is_some() {
                return Err(ToolError::Invalid(format!(
                    "{path} can only be listed whole, not grouped: list it with query-entity and count the rows."
                )));
            }
            let result = ctx
                .tenant
                .client
                .list(&path, 10_000, ReadIntent::Explicit)
                .await?;
            Ok(json!({"entity": e.name, "count": result.items.len(), "listedFrom": path}))
        }
    }
}
