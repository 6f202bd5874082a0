"""Print the README's configuration table from the settings class (paste it into README.md)."""

from assistant.settings import Settings


def main() -> None:
    print("| variable | default | meaning |")
    print("|---|---|---|")
    for name, field in Settings.model_fields.items():
        default = "unset" if field.default is None else str(field.default)
        print(f"| `ASSISTANT_{name.upper()}` | `{default}` | {field.description} |")


if __name__ == "__main__":
    main()
