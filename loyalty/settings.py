"""One typed settings object: where the workspace lives and the limits the app enforces.

Values come from environment variables so that the app, the CLI and a server deployment read the
same configuration. Secrets are not here: the app reads them from Streamlit's secrets only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKSPACE = PROJECT_ROOT / "data"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:  # a typo in a deployment should say which variable is wrong
        raise ValueError(f"Environment variable {name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    workspace: Path = DEFAULT_WORKSPACE
    cache_ttl_seconds: int = 3600
    max_upload_mb: int = 1024
    allowed_upload_types: tuple[str, ...] = ("csv", "txt", "tsv", "xlsx", "parquet")
    keep_versions: int = 3  # old table files kept so readers of a previous snapshot never break
    engine: str = "duckdb"  # "duckdb" or "spark" (docs/scaling.md)
    spark_master: str = "local[2]"  # used when spark_remote is empty
    spark_remote: str = ""  # Spark Connect URL, e.g. sc://spark-host:15002
    spark_data_root: str = ""  # the workspace folder as the cluster sees it, e.g. s3a://lake/loyalty
    auto_demo: bool = True  # an empty workspace gets demo data on the app's first run
    demo_customers: int = 20_000
    duckdb_threads: int = field(default_factory=lambda: os.cpu_count() or 2)
    duckdb_memory_limit: str = "2GB"

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        settings = cls(
            workspace=Path(env.get("LOYALTY_WORKSPACE", str(DEFAULT_WORKSPACE))).expanduser(),
            cache_ttl_seconds=_int_env("LOYALTY_CACHE_TTL", 3600),
            max_upload_mb=_int_env("LOYALTY_MAX_UPLOAD_MB", 1024),
            engine=env.get("LOYALTY_ENGINE", "duckdb").strip().lower() or "duckdb",
            spark_master=env.get("LOYALTY_SPARK_MASTER", "local[2]"),
            spark_remote=env.get("LOYALTY_SPARK_REMOTE", ""),
            spark_data_root=env.get("LOYALTY_SPARK_DATA_ROOT", ""),
            auto_demo=env.get("LOYALTY_AUTO_DEMO", "1").strip().lower() not in ("0", "false", "no", "off"),
            demo_customers=_int_env("LOYALTY_DEMO_CUSTOMERS", 20_000),
            duckdb_memory_limit=env.get("LOYALTY_DUCKDB_MEMORY", "2GB"),
        )
        overrides = {k: v for k, v in overrides.items() if v is not None}
        if "workspace" in overrides:
            overrides["workspace"] = Path(overrides["workspace"]).expanduser()
        return replace(settings, **overrides)
