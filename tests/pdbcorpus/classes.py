"""Methods, properties, classmethods, staticmethods, super()."""


def _never():
    pass


class Account:
    rate = 2

    def __init__(self, balance):
        self._balance = balance    # @init

    @property
    def balance(self):
        return self._balance       # @prop_get

    @balance.setter
    def balance(self, value):
        self._balance = value      # @prop_set

    def deposit(self, amount):
        self.balance = self.balance + amount   # @deposit
        return self.balance                    # @deposit_ret

    @classmethod
    def opening(cls, amount):
        return cls(amount * cls.rate)          # @opening

    @staticmethod
    def fee(amount):
        return amount // 10                    # @fee


class Savings(Account):
    def deposit(self, amount):
        total = super().deposit(amount - self.fee(amount))     # @sav_dep
        return total                                           # @sav_ret


def main():
    acct = Account.opening(5)      # @main
    acct.deposit(3)                # @main_dep
    sav = Savings(10)              # @main_sav_new
    sav.deposit(20)                # @main_sav
    return acct.balance + sav.balance     # @main_ret


main()
