package org.example.tools;

/** Says hello; exists so the fixture jar holds a real class. */
public final class Greeter {
    public static String greet(String name) {
        return "Hello, " + name;
    }
}
