package io.pgsubset.transform;

import java.util.List;

/** The names the {@code name} built-in picks from: 64 of each, plain ASCII, no quotes or commas. */
final class FakeNames {
    static final int SIZE = 64;

    static final List<String> FIRST = List.of(
            "Ada", "Alan", "Alex", "Alice", "Amir", "Ana", "Anna", "Ari", "Ben", "Bo", "Carla", "Chen", "Chris",
            "Dana", "Dev", "Elena", "Eli", "Emma", "Eva", "Femi", "Gina", "Grace", "Hana", "Ivan", "Ines", "Jack",
            "Jamal", "Jana", "Jon", "Kai", "Kim", "Lara", "Lea", "Leo", "Lina", "Luca", "Mai", "Maria", "Max",
            "Mia", "Nadia", "Nils", "Noah", "Nora", "Omar", "Otto", "Paula", "Pia", "Raj", "Rosa", "Sam", "Sara",
            "Sofia", "Tara", "Teo", "Tom", "Uma", "Vera", "Will", "Yara", "Yuki", "Zoe", "Zane", "Ola");

    static final List<String> LAST = List.of(
            "Abe", "Adams", "Ali", "Baker", "Berg", "Brown", "Chen", "Costa", "Cruz", "Diaz", "Dubois", "Evans",
            "Fischer", "Garcia", "Gray", "Hansen", "Hill", "Ito", "Jansen", "Jones", "Kato", "Khan", "Kim",
            "Klein", "Kowalski", "Lee", "Lopez", "Moreau", "Meyer", "Miller", "Moore", "Nagy", "Novak", "Nunez",
            "Okafor", "Olsen", "Park", "Patel", "Perez", "Popescu", "Reyes", "Rossi", "Sato", "Schmidt", "Silva",
            "Smith", "Sousa", "Stone", "Suzuki", "Tanaka", "Taylor", "Torres", "Vargas", "Vogel", "Walker", "Wang",
            "Weber", "White", "Wilson", "Wong", "Young", "Yilmaz", "Zhang", "Ziegler");

    static {
        if (FIRST.size() != SIZE || LAST.size() != SIZE) {
            throw new IllegalStateException("FakeNames needs exactly " + SIZE + " names per list");
        }
    }

    private FakeNames() {
    }
}
