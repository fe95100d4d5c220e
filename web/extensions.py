"""Extensions, created once here and bound to each app in create_app() with init_app()."""
from authlib.integrations.flask_client import OAuth
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from web.database import Database
from web.rasa import RasaClient

babel = Babel()
csrf = CSRFProtect()
database = Database()
login_manager = LoginManager()
oauth = OAuth()
rasa = RasaClient()
