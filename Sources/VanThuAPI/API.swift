public enum VanThuAPIPlaceholder {}
