"""Extensions, created once here and bound to each app in create_app() with init_app()."""
from flask_babel import Babel

from web.rasa import RasaClient

babel = Babel()
rasa = RasaClient()
