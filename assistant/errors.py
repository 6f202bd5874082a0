"""The project's exception types; the CLI maps them to exit codes and one-line messages."""


class AssistantError(Exception):
    """Base class for errors a user can act on."""


class DocumentLoadError(AssistantError):
    """A corpus document could not be read (empty, binary, broken, bad encoding)."""


class ConfigurationError(AssistantError):
    """A setting has a value the program cannot work with."""


class IndexNotBuiltError(AssistantError):
    """The index does not exist yet or holds no chunks."""


class ModelMismatchError(AssistantError):
    """The index was built with another embedding model than the configured one."""


class QuestionSetError(AssistantError):
    """A question-set file does not follow the documented format."""


class IntakeError(AssistantError):
    """Incoming questions (a CSV file, an e-mail) cannot be read at all."""


class IndexIncompleteError(AssistantError):
    """The index lacks a stage (chunks without their sentence vectors): it is not answered from."""


class IndexBusyError(AssistantError):
    """Another index run holds the index folder's lock."""


class GenerationRemovedError(AssistantError):
    """The index generation a request was reading was removed by a newer build."""
