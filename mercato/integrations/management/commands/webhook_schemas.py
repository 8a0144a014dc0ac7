"""manage.py webhook_schemas: write the JSON Schema of each webhook event type's body into
docs/webhooks/schemas, the shop's outgoing ones and (in incoming/) those other systems post to
it. Run it after changing a payload; a test fails while they differ."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from mercato.integrations.incoming_schemas import write_incoming_json_schemas
from mercato.integrations.payloads import json_schemas

SCHEMA_DIRECTORY = Path(settings.BASE_DIR) / "docs" / "webhooks" / "schemas"


def schema_files() -> dict[Path, str]:
    """Each file's path and the text it must hold."""
    return {SCHEMA_DIRECTORY / f"{event_type}.json": json.dumps(schema, indent=2) + "\n"
            for event_type, schema in json_schemas().items()}


class Command(BaseCommand):
    help = "Write docs/webhooks/schemas/ (outgoing and incoming/) from the payload schemas."

    def handle(self, *args, **options) -> None:
        for path, text in schema_files().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
        for path in write_incoming_json_schemas():
            self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
