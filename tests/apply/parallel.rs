//! Parallelism: independent resources run at once under `--parallelism N` (default 10),
//! never more than N. With every ARM request taking 100 ms, running one at a time is
//! measurably slower.

use std::time::Duration;

use aciform::emulator::EmulatorConfig;

use super::{Fixture, group_toml, head, peak_running};

const GROUPS: usize = 6;

async fn slow_cloud_with_independent_groups() -> Fixture {
    let mut toml = head("fanout", "rg-fanout");
    for i in 0..GROUPS {
        toml += &group_toml(&format!("g{i}"), "nginx:1.27", "", "");
    }
    let config = EmulatorConfig {
        latency: Duration::from_millis(100),
        ..EmulatorConfig::for_tests()
    };
    Fixture::new(config, &toml).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_groups_run_in_parallel_up_to_the_cap() {
    let serial = slow_cloud_with_independent_groups().await;
    let one = serial.apply_ok(&["--parallelism", "1"]).await;
    let parallel = slow_cloud_with_independent_groups().await;
    let ten = parallel.apply_ok(&[]).await;
    let capped = slow_cloud_with_independent_groups().await;
    let three = capped.apply_ok(&["--parallelism", "3"]).await;

    assert_eq!(peak_running(&one.stdout), 1, "{}", one.stdout);
    assert_eq!(peak_running(&ten.stdout), GROUPS, "{}", ten.stdout);
    assert_eq!(peak_running(&three.stdout), 3, "{}", three.stdout);

    let ratio = one.elapsed.as_secs_f64() / ten.elapsed.as_secs_f64();
    assert!(
        ratio > 2.0,
        "parallelism 1 took {:?}, the default {:?} (ratio {ratio:.2})",
        one.elapsed,
        ten.elapsed
    );
    assert!(
        three.elapsed < one.elapsed,
        "{:?} vs {:?}",
        three.elapsed,
        one.elapsed
    );
}
