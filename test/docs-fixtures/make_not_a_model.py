# Writes not-a-model.pkl exactly as the headline guide's example does (guides/pkl-to-endpoint,
# "Scan it for code that would run on load"). Never load the result. Run it in the fixture folder:
#   cd test/docs-fixtures/not-a-model && python3 ../make_not_a_model.py
import os, pickle

class NotAModel:
    def __reduce__(self):
        return (os.system, ("echo this ran on your machine",))

pickle.dump(NotAModel(), open("not-a-model.pkl", "wb"))
