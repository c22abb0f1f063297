"""The interaction models, one ASK model per locale (``<locale>.json``, generated from
``source/``). An install carries them as the package ``skill.interaction_models``
(pyproject.toml maps this folder there); this file makes that a regular package,
which an editable install needs to import it. Read them with
``skill.devtools.model_files``."""
