//! Issue 14, attachments, end to end over MCP against the sandbox: a ticket's attachments are
//! listed without bytes; the seeded PNG arrives as image content and the text file as text;
//! an attachment is previewed without confirm (nothing sent) and created with it, its bytes
//! read back and counted against the 5-minute attachment limit; a file above the per-file
//! limit is refused before anything is sent.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::common::assert_every;
use crate::mcp_support::{items, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_are_listed_read_as_image_or_text_and_created_with_confirm() {
    let h = start(&[], &[], false).await;

    let listed = h
        .ok(
            "list-attachments",
            json!({"parentEntity": "Tickets", "parentId": 10001}),
        )
        .await;
    let rows = items(&listed);
    assert_eq!(rows.len(), 2, "{listed}");
    assert_every(&rows, "listed without bytes", |r| r.get("data").is_none());
    let png = rows
        .iter()
        .find(|r| r["contentType"] == "image/png")
        .unwrap();
    assert_eq!(png["fullPath"], "screenshot.png");
    assert!(png.get("attachedByResource").is_some(), "who: {png}");
    println!("list-attachments: {} bytes", listed.to_string().len());
    // The sandbox follows API-FACTS §3.1: only the parent-scoped get by id carries `data`.
    let id = png["id"].as_i64().unwrap();
    let children = h.rest("GET", "Tickets/10001/Attachments", None).await;
    let children = children["items"].as_array().unwrap();
    assert!(
        children.iter().any(|a| a["id"] == json!(id)),
        "the PNG is among the ticket's attachments: {children:?}"
    );
    assert_every(children, "the parent-scoped list carries no data", |a| {
        a["data"].is_null()
    });
    // `rest_get` fails unless the record is there: its `data` is null, not the record.
    let root = h.rest_get(&format!("TicketAttachments/{id}")).await;
    assert_eq!(root["fullPath"], "screenshot.png", "{root}");
    assert!(root["data"].is_null(), "{root}");
    let full = h.rest_get(&format!("Tickets/10001/Attachments/{id}")).await;
    let data = full["data"].as_str().expect("the scoped get carries data");
    assert!(STANDARD.decode(data).unwrap().starts_with(b"\x89PNG"));

    // The image: image content the model can look at; the JSON keeps the metadata only.
    let result = h
        .call(
            "get-attachment",
            json!({"parentEntity": "Tickets", "parentId": 10001, "id": png["id"]}),
        )
        .await;
    assert_ne!(result.is_error, Some(true));
    let image = result
        .content
        .iter()
        .find_map(|c| c.as_image())
        .expect("an image content block");
    assert_eq!(image.mime_type, "image/png");
    let bytes = STANDARD.decode(&image.data).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    let meta = result.structured_content.clone().unwrap();
    assert_eq!(meta["content"], "image");
    assert!(meta.get("_image").is_none() && meta.get("data").is_none());
    println!(
        "get-attachment (image): {} bytes + {} bytes of image",
        meta.to_string().len(),
        image.data.len()
    );

    // The text file: its text.
    let txt = rows
        .iter()
        .find(|r| r["contentType"] == "text/plain")
        .unwrap();
    let text = h
        .ok(
            "get-attachment",
            json!({"parentEntity": "ticket", "parentId": 10001, "id": txt["id"]}),
        )
        .await;
    assert!(
        text["text"].as_str().unwrap().contains("0x8004010F"),
        "{text}"
    );
    println!("get-attachment (text): {} bytes", text.to_string().len());

    // Preview: nothing sent, the bytes summarised.
    let writes = h.writes();
    let args = json!({"parentEntity": "Tickets", "parentId": 10002, "fileName": "notes.txt",
        "title": "Call notes", "text": "Printer fixed after driver update."});
    let preview = h.ok("create-attachment", args.clone()).await;
    assert_eq!(preview["operation"], "preview");
    assert_eq!(preview["request"]["path"], "Tickets/10002/Attachments");
    assert_eq!(preview["request"]["body"]["data"], "(base64, 34 bytes)");
    assert_eq!(h.writes(), writes, "a preview sends nothing");
    println!(
        "create-attachment preview: {} bytes",
        preview.to_string().len()
    );

    // Confirmed: created, and its bytes read back.
    let mut confirmed = args.clone();
    confirmed["confirm"] = json!("CREATE_ATTACHMENT");
    let made = h.ok("create-attachment", confirmed).await;
    assert_eq!(made["operation"], "created", "{made}");
    assert_eq!(h.writes(), writes + 1);
    let id = made["id"].clone();
    let back = h
        .ok(
            "get-attachment",
            json!({"parentEntity": "Tickets", "parentId": 10002, "id": id}),
        )
        .await;
    assert_eq!(back["text"], "Printer fixed after driver update.");
    assert_eq!(back["title"], "Call notes");
    assert_eq!(back["fileSize"], json!(34.0));
    println!("create-attachment: {} bytes", made.to_string().len());
    // The attachment traffic limit is tracked like the request budget.
    let usage = h.ok("get-threshold-information", json!({})).await;
    assert_eq!(usage["attachmentBytesLast5Minutes"], 34);
    assert_eq!(usage["attachmentBytesLimit"], 10_000_000);

    // Above the per-file limit: refused, nothing sent.
    let big = STANDARD.encode(vec![7u8; 6_000_001]);
    let err = h
        .err(
            "create-attachment",
            json!({"parentEntity": "Tickets", "parentId": 10002, "fileName": "big.bin",
                "data": big, "confirm": "CREATE_ATTACHMENT"}),
        )
        .await;
    assert!(err.contains("at most 6000000 bytes"), "{err}");
    assert_eq!(h.writes(), writes + 1);

    // A parent without attachments names the ones that have them.
    let err = h
        .err(
            "list-attachments",
            json!({"parentEntity": "Roles", "parentId": 1}),
        )
        .await;
    assert!(
        err.contains("Tickets") && err.contains("Companies"),
        "{err}"
    );
}
