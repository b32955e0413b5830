//! Images and locations ARM would refuse: reported at load, on the line written.

use crate::spec_support::{HEAD, WEB, errors_in, expect_error};

#[test]
fn an_empty_or_blank_image_is_refused_at_its_value() {
    let all = errors_in(&format!("{HEAD}{WEB}").replace("\"nginx:${vars.tag}\"", "\"\""));
    let e = expect_error(&all, "invalid image", "\"\"");
    assert!(e.rendered.contains("empty"), "{}", e.rendered);
    assert!(e.at.starts_with("main.toml:15:"), "{}", e.at);

    let all = errors_in(&format!("{HEAD}{WEB}").replace("nginx:${vars.tag}", "nginx :1"));
    expect_error(&all, "invalid image", "\"nginx :1\"");
}

#[test]
fn a_location_that_is_no_region_name_is_refused_once_where_written() {
    let text =
        format!("{HEAD}{WEB}").replace("location = \"westeurope\"", "location = \"west-europe/1\"");
    let all = errors_in(&text);
    let e = expect_error(&all, "invalid location", "\"west-europe/1\"");
    assert!(e.at.starts_with("main.toml:3:"), "{}", e.at);
    // Inherited by the resource group and the container group: still one error.
    assert_eq!(
        all.iter()
            .filter(|s| s.message == "invalid location")
            .count(),
        1
    );

    let text = format!("{HEAD}location = \"\"\n{WEB}");
    expect_error(&errors_in(&text), "invalid location", "\"\"");
}
